import Link from "next/link";
import { CopyButton } from "~/components/copy-button";
import { LifecycleActions } from "~/components/lifecycle-actions";
import { secondaryButtonClass } from "~/components/ui";
import { routes } from "~/lib/routes";

/** The runtime's name, its swcli URI, and what can be done to the whole runtime. */
export function RuntimeHeading({
  project,
  name,
  uri,
  removed,
  canCompare,
  can,
}: {
  project: string;
  name: string;
  uri: string;
  removed: boolean;
  canCompare: boolean;
  can: { canWrite: boolean; canRecover: boolean };
}) {
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
      <div className="min-w-0">
        <p className="text-sm text-muted">
          <Link href={routes.project(project)} className="hover:underline">
            Runtimes
          </Link>{" "}
          /
        </p>
        <h1 className="flex items-center gap-2 text-2xl font-semibold tracking-tight">
          {name}
          {removed ? (
            <span className="rounded bg-danger-bg px-1.5 py-0.5 text-xs font-medium text-danger">
              removed
            </span>
          ) : null}
        </h1>
        <div className="mt-1 flex min-w-0 items-center gap-2">
          <code className="truncate font-mono text-xs text-muted" data-testid="runtime-uri">
            {uri}
          </code>
          <CopyButton
            text={uri}
            label="Copy the runtime's URI"
            className="text-xs font-medium text-accent hover:underline"
          />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        {canCompare ? (
          <Link href={routes.diff(project, name)} className={secondaryButtonClass}>
            Compare versions
          </Link>
        ) : null}
        <LifecycleActions
          project={project}
          name={name}
          label="runtime"
          removed={removed}
          canRemove={can.canWrite}
          canRecover={can.canRecover}
        />
      </div>
    </div>
  );
}
