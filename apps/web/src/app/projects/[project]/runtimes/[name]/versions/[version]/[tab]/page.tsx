import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { type VersionTab, versionTabs } from "~/lib/routes";
import { loadVersion, type VersionParams, versionParams } from "~/server/version";
import { FilesTab } from "./files-tab";
import { LockTab } from "./lock-tab";
import { ManifestTab } from "./manifest-tab";
import { OverviewTab } from "./overview-tab";
import { RuntimeYamlTab } from "./runtime-yaml-tab";

export const dynamic = "force-dynamic";

type Params = VersionParams & { tab: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const p = await params;
  return { title: `${decodeURIComponent(p.name)} ${decodeURIComponent(p.version).slice(0, 12)} · ${p.tab}` };
}

export default async function VersionTabPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tab } = await params;
  if (!versionTabs.includes(tab as VersionTab)) notFound();
  const { project, name, version } = await versionParams(params);
  const info = await loadVersion(project, name, version);
  if (!info.ok) return null; // the layout shows the problem
  switch (tab as VersionTab) {
    case "overview":
      return <OverviewTab project={project} info={info.data} />;
    case "runtime-yaml":
      return <RuntimeYamlTab text={info.data.runtimeYaml} />;
    case "manifest":
      return <ManifestTab manifest={info.data.manifest} />;
    case "lock":
      return <LockTab lockFiles={info.data.lockFiles} />;
    case "files": {
      const page = Math.max(1, Number((await searchParams).page) || 1);
      return <FilesTab project={project} name={name} version={info.data.version} page={page} />;
    }
  }
}
