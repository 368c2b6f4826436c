import Link from "next/link";
import type { ReactNode } from "react";
import { Problem } from "~/components/problem";
import { TagList } from "~/components/tag-list";
import { getEnv } from "~/env";
import { formatBytes, formatDateTime } from "~/lib/format";
import { routes } from "~/lib/routes";
import { requestOrigin, runtimeUri } from "~/server/origin";
import { loadProject, permissions } from "~/server/project";
import { loadVersion, type VersionParams, versionParams } from "~/server/version";
import { VersionActions } from "./version-actions";
import { VersionTabs } from "./version-tabs";

export const dynamic = "force-dynamic";

/** A version's heading, its actions and its tabs (overview, runtime.yaml, manifest, lock, files). */
export default async function VersionLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<VersionParams>;
}) {
  const { project, name, version } = await versionParams(params);
  const [projectInfo, info] = await Promise.all([loadProject(project), loadVersion(project, name, version)]);
  if (!projectInfo.ok) return null;
  if (!info.ok)
    return (
      <Problem
        status={info.status}
        message={info.message}
        back={{ href: routes.runtime(project, name), label: `History of ${name}` }}
      />
    );
  const v = info.data;
  const origin = await requestOrigin();
  const uri = runtimeUri(origin, project, name, v.version);
  return (
    <div className="space-y-5">
      <div className="flex flex-col gap-4 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0">
          <p className="text-sm text-muted">
            <Link href={routes.project(project)} className="hover:underline">
              Runtimes
            </Link>{" "}
            /{" "}
            <Link href={routes.runtime(project, name)} className="hover:underline">
              {name}
            </Link>{" "}
            /
          </p>
          <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight">
            {name} <span className="text-muted">{v.alias}</span>
            {v.latest ? (
              <span className="rounded bg-surface-muted px-1.5 py-0.5 text-xs font-medium text-muted">
                latest
              </span>
            ) : null}
          </h1>
          <p className="mt-1 break-all font-mono text-xs text-muted" data-testid="version-id">
            {v.version}
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-3 text-sm text-muted">
            <TagList tags={v.tags} />
            <span>
              {formatBytes(v.size)} · by {v.owner.name} · {formatDateTime(v.createdAt)}
            </span>
          </div>
        </div>
        <VersionActions
          project={project}
          name={name}
          version={v.version}
          alias={v.alias}
          uri={uri}
          removed={v.removed}
          can={permissions(projectInfo.data.access)}
          image={v.images[0] ?? null}
          registryConfigured={Boolean(getEnv().SW_REGISTRY)}
        />
      </div>
      <VersionTabs project={project} name={name} version={v.version} />
      {children}
    </div>
  );
}
