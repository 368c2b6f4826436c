"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId } from "react";
import { alertClass, buttonClass, inputClass, labelClass, selectClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";
import { type Role, roles } from "./roles";

export function InviteMemberForm({ project }: { project: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const add = useMutation(trpc.member.add.mutationOptions({ onSuccess: () => router.refresh() }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    add.mutate(
      { project, userName: String(form.get("userName") ?? ""), role: String(form.get("role")) as Role },
      { onSuccess: () => formElement.reset() },
    );
  }
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${id}-title`}
      className="rounded-xl border border-border bg-surface p-4 shadow-sm"
    >
      <h2 id={`${id}-title`} className="mb-3 font-medium">
        Invite a member
      </h2>
      <div className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
        <div>
          <label htmlFor={`${id}-user`} className={labelClass}>
            User name
          </label>
          <input
            id={`${id}-user`}
            name="userName"
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass}
          />
        </div>
        <div>
          <label htmlFor={`${id}-role`} className={labelClass}>
            Role
          </label>
          <select id={`${id}-role`} name="role" defaultValue="guest" className={`${selectClass} w-full`}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass} disabled={add.isPending}>
          {add.isPending ? "Inviting…" : "Invite"}
        </button>
      </div>
      {add.error ? (
        <p role="alert" className={`${alertClass} mt-3`}>
          {describeError(add.error)}
        </p>
      ) : null}
    </form>
  );
}
