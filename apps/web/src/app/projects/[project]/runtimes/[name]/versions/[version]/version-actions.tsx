import Link from "next/link";
import { CopyButton } from "~/components/copy-button";
import { LifecycleActions } from "~/components/lifecycle-actions";
import { secondaryButtonClass } from "~/components/ui";
import { routes } from "~/lib/routes";
import { BuildImageButton } from "./build-image-button";

/**
 * What can be done with a version: take it (URI, swcli copy command), compare it, build an image, remove or
 * recover it. "Build image" enqueues an image job (maintainers, when the server has a registry) and otherwise says
 * why it is off; the newest image built from the version is shown with its digest.
 */
export function VersionActions({
  project,
  name,
  version,
  alias,
  uri,
  removed,
  can,
  image,
  registryConfigured,
}: {
  project: string;
  name: string;
  version: string;
  alias: string;
  uri: string;
  removed: boolean;
  can: { canWrite: boolean; canRecover: boolean };
  /** The newest image built from this version. */
  image: { reference: string; digest: string } | null;
  /** Whether the server has an image registry (SW_REGISTRY); the registry itself stays on the server. */
  registryConfigured: boolean;
}) {
  const command = `swcli runtime copy ${uri} .`;
  const buildOff = removed
    ? "A removed version has no image builds; recover it first."
    : !can.canWrite
      ? "Maintainers can build images."
      : !registryConfigured
        ? "No image registry is configured on this server (SW_REGISTRY)."
        : null;
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
      {image ? (
        <div className="flex items-center gap-2">
          <code
            data-testid="version-image"
            className="min-w-0 flex-1 truncate rounded bg-surface-muted px-2 py-1.5 font-mono text-xs"
            title={`${image.reference}\n${image.digest}`}
          >
            {image.reference}
          </code>
          <CopyButton
            text={`${image.reference}@${image.digest}`}
            label="Copy the image reference with its digest"
          />
        </div>
      ) : null}
      <div className="flex flex-wrap items-start gap-2 pt-1">
        <Link href={routes.diff(project, name, undefined, version)} className={secondaryButtonClass}>
          Compare…
        </Link>
        <BuildImageButton project={project} name={name} version={version} disabledReason={buildOff} />
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
