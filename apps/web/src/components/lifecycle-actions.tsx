"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { describeError } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";
import { ConfirmButton } from "./confirm-button";
import { alertClass } from "./ui";

/**
 * Remove (maintainers) or recover (owners) a runtime, or one version of it when `version` is given. Removal is
 * soft: tags lie dormant and come back on recover.
 */
export function LifecycleActions({
  project,
  name,
  version,
  label,
  removed,
  canRemove,
  canRecover,
}: {
  project: string;
  name: string;
  version?: string;
  /** What the buttons name: "runtime" or "v3". */
  label: string;
  removed: boolean;
  canRemove: boolean;
  canRecover: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const done = { onSuccess: () => router.refresh() };
  const remove = useMutation(trpc.runtime.remove.mutationOptions(done));
  const recover = useMutation(trpc.runtime.recover.mutationOptions(done));
  const error = remove.error ?? recover.error;
  const input = { project, name, ...(version ? { version } : {}) };
  return (
    <span className="inline-flex flex-col items-start gap-1">
      {removed ? (
        canRecover ? (
          <ConfirmButton
            label={`Recover ${label}`}
            question={`Bring ${label} back with its tags?`}
            confirmLabel="Recover"
            danger={false}
            pending={recover.isPending}
            onConfirm={() => recover.mutate(input)}
          />
        ) : null
      ) : canRemove ? (
        <ConfirmButton
          label={`Remove ${label}`}
          question={
            version
              ? `Remove ${label}? An owner can recover it.`
              : `Remove every version of ${name}? An owner can recover them.`
          }
          confirmLabel="Remove"
          pending={remove.isPending}
          onConfirm={() => remove.mutate(input)}
        />
      ) : null}
      {error ? (
        <span role="alert" className={alertClass}>
          {describeError(error)}
        </span>
      ) : null}
    </span>
  );
}
