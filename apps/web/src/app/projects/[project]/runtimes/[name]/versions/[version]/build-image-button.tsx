"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { alertClass, secondaryButtonClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { routes } from "~/lib/routes";
import { useTRPC } from "~/trpc/react";

/**
 * Enqueues `runtime.dockerize` for this version (maintainers, when the server has a registry) and opens the job's
 * page. One request id per page view, so a double click or a retried request makes one job.
 */
export function BuildImageButton({
  project,
  name,
  version,
  disabledReason,
}: {
  project: string;
  name: string;
  version: string;
  /** Why the button is off (not a maintainer, no registry on the server); null when it is on. */
  disabledReason: string | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [requestId] = useState(() => crypto.randomUUID());
  const submit = useMutation(
    trpc.job.submitDockerize.mutationOptions({
      onSuccess: ({ job }) => router.push(routes.job(project, job.id)),
    }),
  );
  if (disabledReason) {
    return (
      <span className="inline-flex flex-col items-start gap-1">
        <button type="button" className={secondaryButtonClass} disabled aria-describedby="build-image-note">
          Build image
        </button>
        <span id="build-image-note" className="text-xs text-muted">
          {disabledReason}
        </span>
      </span>
    );
  }
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <button
        type="button"
        className={secondaryButtonClass}
        disabled={submit.isPending || submit.isSuccess}
        onClick={() => submit.mutate({ project, runtimeName: name, version, requestId })}
      >
        {submit.isPending || submit.isSuccess ? "Queuing image…" : "Build image"}
      </button>
      {submit.error ? (
        <span role="alert" className={alertClass}>
          {describeError(submit.error)}
        </span>
      ) : null}
    </span>
  );
}
