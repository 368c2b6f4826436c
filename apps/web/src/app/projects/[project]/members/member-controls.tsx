"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ConfirmButton } from "~/components/confirm-button";
import { selectClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";
import { type Role, roles } from "./roles";

/** An owner's controls for one member: change the role at once, remove after asking. */
export function MemberControls({
  project,
  userName,
  role,
}: {
  project: string;
  userName: string;
  role: Role;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const done = { onSuccess: () => router.refresh() };
  const setRole = useMutation(trpc.member.setRole.mutationOptions(done));
  const remove = useMutation(trpc.member.remove.mutationOptions(done));
  const error = setRole.error ?? remove.error;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <label className="sr-only" htmlFor={`role-${userName}`}>
          Role of {userName}
        </label>
        <select
          id={`role-${userName}`}
          value={setRole.isPending ? setRole.variables?.role : role}
          disabled={setRole.isPending}
          onChange={(e) => setRole.mutate({ project, userName, role: e.currentTarget.value as Role })}
          className={`${selectClass} h-9`}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <ConfirmButton
          label="Remove"
          question={`Remove ${userName} from ${project}?`}
          confirmLabel="Remove"
          pending={remove.isPending}
          onConfirm={() => remove.mutate({ project, userName })}
        />
      </div>
      {error ? (
        <p role="alert" className="text-xs text-danger">
          {describeError(error)}
        </p>
      ) : null}
    </div>
  );
}
