import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "~/components/empty-state";
import { Pagination } from "~/components/pagination";
import { Problem } from "~/components/problem";
import { buttonClass } from "~/components/ui";
import { plural } from "~/lib/format";
import { routes } from "~/lib/routes";
import { load } from "~/server/load";
import { loadProject, permissions } from "~/server/project";
import { getCaller } from "~/trpc/server";
import { stateStyles } from "./job-format";
import { jobQueryString, parseJobQuery } from "./job-query";
import { JobsTable } from "./jobs-table";
import { RefreshWhileActive } from "./refresh-while-active";
import { StateFilter } from "./state-filter";

export const metadata: Metadata = { title: "Jobs" };
export const dynamic = "force-dynamic";

export default async function JobsPage({
  params,
  searchParams,
}: {
  params: Promise<{ project: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const project = decodeURIComponent((await params).project);
  const query = parseJobQuery(await searchParams);
  const caller = await getCaller();
  const [result, access] = await Promise.all([
    load(() => caller.job.list({ project, state: query.state, page: query.page, size: query.size })),
    loadProject(project),
  ]);
  if (!result.ok) return <Problem status={result.status} message={result.message} />;
  const canWrite = access.ok && permissions(access.data.access).canWrite;
  const { items, total, page, size } = result.data;
  const active = items.some((job) => job.state === "queued" || job.state === "running");
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-baseline gap-3">
          <h1 className="text-xl font-semibold tracking-tight">Jobs</h1>
          <span className="text-sm text-muted" data-testid="job-count">
            {plural(total, "job")}
          </span>
        </div>
        {canWrite ? (
          <Link href={routes.newBuild(project)} className={buttonClass}>
            New build
          </Link>
        ) : null}
      </div>
      <StateFilter project={project} query={query} />
      <RefreshWhileActive active={active} />
      {items.length > 0 ? (
        <>
          {/* Rendered on the server: durations of running jobs count up to the moment of this render. */}
          <JobsTable project={project} items={items} now={Date.now()} />
          <Pagination
            page={page}
            size={size}
            total={total}
            href={(p) => routes.jobs(project, jobQueryString({ ...query, page: p }))}
          />
        </>
      ) : query.state || page > 1 ? (
        <EmptyState
          title="No jobs match"
          action={
            <Link href={routes.jobs(project)} className="text-sm font-medium text-accent hover:underline">
              Show all jobs
            </Link>
          }
        >
          No job here is {query.state ? stateStyles[query.state].label.toLowerCase() : "on this page"}.
        </EmptyState>
      ) : (
        <EmptyState
          title="No jobs yet"
          action={
            canWrite ? (
              <Link href={routes.newBuild(project)} className={buttonClass}>
                Start a build
              </Link>
            ) : undefined
          }
        >
          <p>Builds the server runs for this project appear here, live. Start one here, or from swcli:</p>
          <pre className="mt-3 overflow-x-auto rounded-lg bg-surface-muted px-3 py-2 text-left font-mono text-xs text-text">
            swcli runtime build -y runtime.yaml --project cloud://SERVER/project/{project}
          </pre>
        </EmptyState>
      )}
    </div>
  );
}
