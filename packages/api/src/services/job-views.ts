import type { Database } from "@swhub/db/client";
import type { ProjectRole } from "@swhub/db/schema";
import { jobs, projects, users } from "@swhub/db/schema";
import { notFound } from "@swhub/shared/errors";
import type { JobState } from "@swhub/shared/jobs";
import { eq } from "drizzle-orm";
import { type Actor, requireAdmin, requireProjectRole } from "./access";

/** A job as clients see it (console lists, `swcli`, `job.get`). */
export interface JobView {
  id: string;
  /** The catalog name, e.g. `runtime.build`. */
  kind: string;
  project: string | null;
  state: JobState;
  phase: string | null;
  /** Percent done within `phase`. */
  progress: number;
  /** The runtime a build makes, or the version a dockerize reads. */
  runtimeName: string | null;
  requestId: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Why it failed or was cancelled. */
  error: string | null;
  /** What it made, e.g. `{ name, version, alias, tags }` for a build. */
  result: Record<string, unknown> | null;
  /** Runs started so far. */
  attempt: number;
  /** The last event's seq: a stream resumed from here misses nothing. */
  lastSeq: number;
}

export const jobViewColumns = {
  id: jobs.id,
  kind: jobs.kind,
  project: projects.name,
  projectId: jobs.projectId,
  state: jobs.state,
  phase: jobs.phase,
  progress: jobs.progress,
  payload: jobs.payload,
  requestId: jobs.requestId,
  createdBy: users.name,
  createdAt: jobs.createdAt,
  startedAt: jobs.startedAt,
  finishedAt: jobs.finishedAt,
  error: jobs.error,
  result: jobs.result,
  attempt: jobs.attempt,
  lastSeq: jobs.eventSeq,
};

type JobViewRow = {
  [K in keyof typeof jobViewColumns]: (typeof jobViewColumns)[K]["_"]["data"] | null;
};

export function toJobView(row: JobViewRow): JobView {
  const payload = (row.payload ?? {}) as { runtimeName?: unknown };
  return {
    id: String(row.id),
    kind: row.kind!,
    project: row.project,
    state: row.state!,
    phase: row.phase,
    progress: row.progress ?? 0,
    runtimeName: typeof payload.runtimeName === "string" ? payload.runtimeName : null,
    requestId: row.requestId,
    createdBy: row.createdBy,
    createdAt: row.createdAt!,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
    result: (row.result as Record<string, unknown> | null) ?? null,
    attempt: row.attempt ?? 0,
    lastSeq: row.lastSeq ?? 0,
  };
}

/** A job id as clients send it; anything else is simply not found. */
export function parseJobId(ref: string): number | undefined {
  return /^\d{1,15}$/.test(ref) ? Number(ref) : undefined;
}

/**
 * Loads a job the caller holds `role` on: its project's role, or admin for system jobs (no project). A job the
 * caller may not read is `not_found`, as a missing one.
 */
export async function requireJobRole(
  db: Database,
  actor: Actor,
  jobRef: string,
  role: ProjectRole,
): Promise<JobView & { projectId: number | null }> {
  const id = parseJobId(jobRef);
  const [row] =
    id === undefined
      ? []
      : await db
          .select(jobViewColumns)
          .from(jobs)
          .leftJoin(projects, eq(projects.id, jobs.projectId))
          .leftJoin(users, eq(users.id, jobs.createdBy))
          .where(eq(jobs.id, id));
  if (!row) throw notFound(`Job ${jobRef} not found`);
  if (row.projectId === null) {
    try {
      requireAdmin(actor);
    } catch {
      throw notFound(`Job ${jobRef} not found`);
    }
  } else {
    await requireProjectRole(db, actor, String(row.projectId), role).catch((error: unknown) => {
      // Not readable at all: the same answer as a missing job, so job ids don't reveal private projects.
      if ((error as { code?: string }).code === "not_found") throw notFound(`Job ${jobRef} not found`);
      throw error;
    });
  }
  return { ...toJobView(row), projectId: row.projectId };
}
