import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "~/components/empty-state";
import { Problem } from "~/components/problem";
import { routes } from "~/lib/routes";
import { load } from "~/server/load";
import { getCaller } from "~/trpc/server";
import { DiffPicker } from "./diff-picker";
import { DiffSummary } from "./diff-summary";
import { EnvironmentChanges } from "./environment-changes";
import { PackageChanges } from "./package-changes";

export const dynamic = "force-dynamic";

type Params = { project: string; name: string };
type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: `Compare ${decodeURIComponent((await params).name)}` };
}

/**
 * What changed between two versions of a runtime: the environment and every locked package, by kind. The choice
 * is in the URL (`?from=v3&to=latest`), so a comparison can be shared; without one, the latest version is compared
 * with the one before it.
 */
export default async function DiffPage({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<Search>;
}) {
  const p = await params;
  const project = decodeURIComponent(p.project);
  const name = decodeURIComponent(p.name);
  const search = await searchParams;
  const caller = await getCaller();
  const history = await load(() => caller.runtime.history({ project, name, size: 500 }));
  if (!history.ok)
    return (
      <Problem
        status={history.status}
        message={history.message}
        back={{ href: routes.project(project), label: "All runtimes" }}
      />
    );
  const versions = history.data.items;
  const back = { href: routes.runtime(project, name), label: `History of ${name}` };
  if (versions.length < 2)
    return (
      <div className="space-y-5">
        <Heading project={project} name={name} />
        <EmptyState title="Nothing to compare yet">
          {name} has {versions.length === 1 ? "one version" : "no versions"}. Copy another version here and
          come back to see what changed.
        </EmptyState>
      </div>
    );
  const toRef = one(search.to) ?? versions[0]!.version;
  const toIndex = versions.findIndex(
    (v) => v.version === toRef || v.tags.includes(toRef) || v.version.startsWith(toRef),
  );
  const fromRef =
    one(search.from) ?? versions[Math.min(toIndex + 1, versions.length - 1)]?.version ?? versions[1]!.version;
  const result = await load(() => caller.runtime.diff({ project, name, from: fromRef, to: toRef }));
  return (
    <div className="space-y-5">
      <Heading project={project} name={name} />
      <DiffPicker
        project={project}
        name={name}
        versions={versions}
        from={result.ok ? result.data.from.version : fromRef}
        to={result.ok ? result.data.to.version : toRef}
      />
      {result.ok ? (
        result.data.from.version === result.data.to.version ? (
          <EmptyState title="Same version on both sides">
            Pick two different versions to see what changed.
          </EmptyState>
        ) : (
          <>
            <DiffSummary project={project} name={name} data={result.data} />
            <EnvironmentChanges changes={result.data.diff.environment} />
            <PackageChanges diff={result.data.diff} kind={one(search.kind)} />
          </>
        )
      ) : (
        <Problem status={result.status} message={result.message} back={back} />
      )}
    </div>
  );
}

function Heading({ project, name }: { project: string; name: string }) {
  return (
    <div>
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
      <h1 className="text-2xl font-semibold tracking-tight">Compare versions</h1>
    </div>
  );
}
