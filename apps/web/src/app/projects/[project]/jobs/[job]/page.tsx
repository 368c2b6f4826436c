import type { Metadata } from "next";
import { Problem } from "~/components/problem";
import { routes } from "~/lib/routes";
import { load } from "~/server/load";
import { loadProject, permissions } from "~/server/project";
import { getCaller } from "~/trpc/server";
import { JobLive } from "./job-live";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ project: string; job: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Job #${decodeURIComponent((await params).job)}` };
}

/** One job: its phases, progress and log, live while it runs and whole once it is done. */
export default async function JobPage({ params }: Params) {
  const { project: p, job: ref } = await params;
  const project = decodeURIComponent(p);
  const caller = await getCaller();
  const [result, access] = await Promise.all([
    load(() => caller.job.get({ job: decodeURIComponent(ref) })),
    loadProject(project),
  ]);
  // A job of another project is not found here, as a missing one: the URL must name the job's own project.
  if (!result.ok || result.data.project !== (access.ok ? access.data.name : project)) {
    return (
      <Problem
        status={result.ok ? "not_found" : result.status}
        message={result.ok ? `Job ${ref} not found` : result.message}
        back={{ href: routes.jobs(project), label: "All jobs" }}
      />
    );
  }
  const job = result.data;
  return (
    <JobLive
      key={job.id}
      project={project}
      canWrite={access.ok && permissions(access.data.access).canWrite}
      job={{
        id: job.id,
        kind: job.kind,
        state: job.state,
        runtimeName: job.runtimeName,
        createdBy: job.createdBy,
        createdAt: job.createdAt.toISOString(),
        startedAt: job.startedAt?.toISOString() ?? null,
        finishedAt: job.finishedAt?.toISOString() ?? null,
        error: job.error,
        result: job.result,
        attempt: job.attempt,
      }}
    />
  );
}
