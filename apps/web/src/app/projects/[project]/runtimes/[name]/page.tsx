import type { Metadata } from "next";
import Link from "next/link";
import { Pagination } from "~/components/pagination";
import { Problem } from "~/components/problem";
import { plural } from "~/lib/format";
import { routes } from "~/lib/routes";
import { load } from "~/server/load";
import { requestOrigin, runtimeUri } from "~/server/origin";
import { loadProject, permissions } from "~/server/project";
import { getCaller } from "~/trpc/server";
import { HistoryTable } from "./history-table";
import { RuntimeHeading } from "./runtime-heading";

export const dynamic = "force-dynamic";

type Params = { project: string; name: string };
type Search = Record<string, string | string[] | undefined>;

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function RuntimePage({
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
  const page = Math.max(1, Number(search.page) || 1);
  const caller = await getCaller();
  const projectInfo = await loadProject(project);
  if (!projectInfo.ok) return null; // the layout shows the problem
  const history = (showRemoved: boolean) =>
    load(() => caller.runtime.history({ project, name, page, size: 20, showRemoved }));
  let showRemoved = search.removed === "1";
  let result = await history(showRemoved);
  // A runtime whose every version is removed is still shown, removed versions and all, so it can be recovered.
  if (!result.ok && result.status === "not_found" && !showRemoved) {
    const removed = await history(true);
    if (removed.ok && removed.data.total > 0) {
      result = removed;
      showRemoved = true;
    }
  }
  if (!result.ok)
    return (
      <Problem
        status={result.status}
        message={result.message}
        back={{ href: routes.project(project), label: "All runtimes" }}
      />
    );
  const { items, total, size } = result.data;
  const allRemoved = items.length > 0 && items.every((v) => v.removed);
  const can = permissions(projectInfo.data.access);
  const origin = await requestOrigin();
  const query = (next: { page?: number; removed?: boolean }) => {
    const q = new URLSearchParams();
    if (next.removed ?? showRemoved) q.set("removed", "1");
    if ((next.page ?? 1) > 1) q.set("page", String(next.page));
    return q.toString();
  };
  return (
    <div className="space-y-5">
      <RuntimeHeading
        project={project}
        name={name}
        uri={runtimeUri(origin, project, name)}
        removed={allRemoved}
        can={can}
        canCompare={total > 1}
      />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">
          History <span className="font-normal text-muted">· {plural(total, "version")}</span>
        </h2>
        <Link
          href={routes.runtime(project, name, query({ removed: !showRemoved, page: 1 }))}
          className="text-sm font-medium text-accent hover:underline"
        >
          {showRemoved ? "Hide removed versions" : "Show removed versions"}
        </Link>
      </div>
      <HistoryTable project={project} name={name} items={items} can={can} />
      <Pagination
        page={page}
        size={size}
        total={total}
        href={(n) => routes.runtime(project, name, query({ page: n }))}
      />
    </div>
  );
}
