import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "~/components/empty-state";
import { Pagination } from "~/components/pagination";
import { Problem } from "~/components/problem";
import { plural } from "~/lib/format";
import { routes } from "~/lib/routes";
import { load } from "~/server/load";
import { getCaller } from "~/trpc/server";
import { RuntimeFilters } from "./runtime-filters";
import { parseRuntimeQuery, runtimeQueryString } from "./runtime-query";
import { RuntimesTable } from "./runtimes-table";

export const metadata: Metadata = { title: "Runtimes" };
export const dynamic = "force-dynamic";

export default async function RuntimesPage({
  params,
  searchParams,
}: {
  params: Promise<{ project: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const project = decodeURIComponent((await params).project);
  const query = parseRuntimeQuery(await searchParams);
  const caller = await getCaller();
  // The project's members, suggested in the owner filter (anyone else who committed can still be typed in).
  const members = caller.member.list({ project }).catch(() => []);
  const result = await load(() =>
    caller.runtime.list({
      project,
      name: query.q || undefined,
      owner: query.owner || undefined,
      showRemoved: query.removed,
      sort: query.sort,
      order: query.order,
      page: query.page,
      size: query.size,
    }),
  );
  if (!result.ok) return <Problem status={result.status} message={result.message} />;
  const { items, total, page, size } = result.data;
  const filtered = Boolean(query.q || query.owner);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold tracking-tight">Runtimes</h1>
        <span className="text-sm text-muted" data-testid="runtime-count">
          {plural(total, "runtime")}
        </span>
      </div>
      <RuntimeFilters project={project} query={query} owners={(await members).map((m) => m.user.name)} />
      {items.length > 0 ? (
        <>
          <RuntimesTable project={project} items={items} query={query} />
          <Pagination
            page={page}
            size={size}
            total={total}
            href={(p) => routes.runtimes(project, runtimeQueryString({ ...query, page: p }))}
          />
        </>
      ) : filtered || page > 1 ? (
        <EmptyState
          title="No runtimes match"
          action={
            <Link
              prefetch={false}
              href={routes.runtimes(project)}
              className="text-sm font-medium text-accent hover:underline"
            >
              Clear the filters
            </Link>
          }
        >
          Nothing here matches {query.q ? `names starting with “${query.q}”` : ""}
          {query.q && query.owner ? " and " : ""}
          {query.owner ? `owner “${query.owner}”` : ""}.
        </EmptyState>
      ) : (
        <EmptyState title="No runtimes yet">
          <p>Build one with swcli and copy it here:</p>
          <pre className="mt-3 overflow-x-auto rounded-lg bg-surface-muted px-3 py-2 text-left font-mono text-xs text-text">
            swcli runtime build -y runtime.yaml{"\n"}swcli runtime copy NAME/version/latest
            cloud://SERVER/project/
            {project}
          </pre>
        </EmptyState>
      )}
    </div>
  );
}
