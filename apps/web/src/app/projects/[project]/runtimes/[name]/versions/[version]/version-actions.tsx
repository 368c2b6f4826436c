import Link from "next/link";
import { CopyButton } from "~/components/copy-button";
import { LifecycleActions } from "~/components/lifecycle-actions";
import { secondaryButtonClass } from "~/components/ui";
import { routes } from "~/lib/routes";

/**
 * What can be done with a version: take it (URI, swcli copy command), compare it, build an image, remove or
 * recover it. "Build image" waits for the dockerize job procedure; until then it says so.
 */
export function VersionActions({
  project,
  name,
  version,
  alias,
  uri,
  removed,
  can,
}: {
  project: string;
  name: string;
  version: string;
  alias: string;
  uri: string;
  removed: boolean;
  can: { canWrite: boolean; canRecover: boolean };
}) {
  const command = `swcli runtime copy ${uri} .`;
  return (
    <section
      aria-label="Actions"
      className="w-full space-y-2 rounded-xl border border-border bg-surface p-3 shadow-sm lg:w-[26rem]"
    >
      <div className="flex items-center gap-2">
        <code
          className="min-w-0 flex-1 truncate rounded bg-surface-muted px-2 py-1.5 font-mono text-xs"
          title={uri}
          data-testid="version-uri"
        >
          {uri}
        </code>
        <CopyButton text={uri} label="Copy the version's URI" />
      </div>
      <div className="flex items-center gap-2">
        <code
          className="min-w-0 flex-1 truncate rounded bg-surface-muted px-2 py-1.5 font-mono text-xs"
          title={command}
          data-testid="copy-command"
        >
          {command}
        </code>
        <CopyButton text={command} label="Copy the swcli runtime copy command" />
      </div>
      <div className="flex flex-wrap items-center gap-2 pt-1">
        <Link href={routes.diff(project, name, undefined, version)} className={secondaryButtonClass}>
          Compare…
        </Link>
        {/* Enqueues runtime.dockerize once the jobs router has a procedure for it. */}
        <span title="Image builds from the console arrive with the jobs router; use swcli runtime dockerize meanwhile.">
          <button type="button" className={secondaryButtonClass} disabled aria-describedby="build-image-note">
            Build image
          </button>
        </span>
        <span id="build-image-note" className="sr-only">
          Not available yet: image builds from the console arrive with the jobs router; use swcli runtime
          dockerize meanwhile.
        </span>
        <LifecycleActions
          project={project}
          name={name}
          version={version}
          label={alias}
          removed={removed}
          canRemove={can.canWrite}
          canRecover={can.canRecover}
        />
      </div>
    </section>
  );
}
