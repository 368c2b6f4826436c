import type { Database } from "@swhub/db/client";
import { jobs, projects, users } from "@swhub/db/schema";
import { conflict, invalidInput, notFound } from "@swhub/shared/errors";
import {
  isFinalJobState,
  type JobEvent,
  type JobName,
  type JobPayload,
  type JobState,
  jobCatalog,
  type submitBuildInputSchema,
} from "@swhub/shared/jobs";
import { runtimeNameProblem, userTagProblem } from "@swhub/shared/names";
import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { JobEventBus } from "../job-bus";
import { bullJobId, type Enqueuer } from "../queue";
import { type Actor, getProjectAccess, requireProjectRole, requireUser } from "./access";
import { appendJobEvents } from "./job-events";
import { type JobView, jobViewColumns, requireJobRole, toJobView } from "./job-views";
import { type Page, type Paging, pageWindow } from "./paging";
import { presentBlobs } from "./uploads";
import type { SessionUser } from "./users";

/** What the job procedures need besides the database: the queue to wake workers, the bus for live events. */
export interface JobDeps {
  enqueuer: Enqueuer;
  bus: JobEventBus;
}

/** Publishing is best effort: the events are stored, and followers read the store when they see a gap. */
async function announce(deps: JobDeps, jobId: number, events: JobEvent[]): Promise<void> {
  await deps.bus.publish(String(jobId), events).catch(() => {});
}

export async function getJob(db: Database, input: { user: Actor; job: string }): Promise<JobView> {
  const { projectId: _, ...job } = await requireJobRole(db, input.user, input.job, "guest");
  return job;
}

/**
 * Asks for a server build (`runtime.build`). The same `requestId` in a project answers the job it made the first
 * time (`created: false`), so a client that retries its request gets one job and one version. The job is stored
 * before it is queued: if Redis can't take it now, the worker's reconciler queues it once Redis answers.
 * Maintainers and up.
 */
export async function submitBuild(
  db: Database,
  deps: JobDeps,
  input: { user: Actor } & z.output<typeof submitBuildInputSchema>,
): Promise<{ job: JobView; created: boolean }> {
  const user = requireUser(input.user);
  const { project } = await requireProjectRole(db, user, input.project, "maintainer");
  const problem = runtimeNameProblem(input.runtimeName) ?? input.tags.map(userTagProblem).find(Boolean);
  if (problem) throw invalidInput(problem);
  if (input.source.kind === "yaml") {
    const present = await presentBlobs(db, project.id, [input.source.contextDigest]);
    if (present.size === 0) {
      throw notFound(
        `Build context ${input.source.contextDigest} was not uploaded to project "${project.name}"`,
        "upload the build context (a tar of runtime.yaml and its files) first",
      );
    }
  }
  const payload = {
    requestId: input.requestId,
    projectId: String(project.id),
    createdBy: user.id,
    runtimeName: input.runtimeName,
    source: input.source,
    tags: input.tags,
    disableEnvLock: input.disableEnvLock,
  };
  return submitJob(db, deps, { user, projectId: project.id, name: "runtime.build", payload });
}

/**
 * Stores a project's job row (unique per project and `requestId`) with its first event, then queues it. A request
 * id seen before answers the job it made (`created: false`). Redis failing to take the job is not an error: the row
 * waits as queued and the worker's reconciler queues it once Redis answers. Callers check access first.
 */
export async function submitJob<N extends JobName>(
  db: Database,
  deps: JobDeps,
  input: {
    user: SessionUser;
    projectId: number;
    name: N;
    payload: Omit<JobPayload<N>, "jobId"> & { requestId: string };
  },
): Promise<{ job: JobView; created: boolean }> {
  const { user, projectId, name, payload } = input;
  const made = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(jobs)
      .values({
        kind: name,
        queue: jobCatalog[name].queue,
        projectId,
        createdBy: Number(user.id),
        requestId: payload.requestId,
        payload,
        heartbeatAt: sql`now()`,
      })
      .onConflictDoNothing()
      .returning({ id: jobs.id });
    if (!row) return undefined;
    const events = await appendJobEvents(tx, row.id, [{ type: "state", state: "queued" }]);
    return { id: row.id, events };
  });
  if (!made) {
    const [existing] = await db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.projectId, projectId), eq(jobs.requestId, payload.requestId)));
    return { job: await getJob(db, { user, job: String(existing!.id) }), created: false };
  }
  await announce(deps, made.id, made.events);
  await deps.enqueuer.enqueue(name, { ...payload, jobId: String(made.id) } as JobPayload<N>).catch(() => {}); // stored as queued; the reconciler queues it when Redis is back
  return { job: await getJob(db, { user, job: String(made.id) }), created: true };
}

/** A project's jobs, newest first. Guests and up. */
export async function listJobs(
  db: Database,
  input: { user: Actor; project: string; state?: JobState; kind?: string } & Paging,
): Promise<Page<JobView>> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const { page, size, limit, offset } = pageWindow(input);
  const where = and(
    eq(jobs.projectId, project.id),
    input.state ? eq(jobs.state, input.state) : undefined,
    input.kind ? eq(jobs.kind, input.kind) : undefined,
  );
  const [rows, [counted]] = await Promise.all([
    db
      .select(jobViewColumns)
      .from(jobs)
      .leftJoin(projects, eq(projects.id, jobs.projectId))
      .leftJoin(users, eq(users.id, jobs.createdBy))
      .where(where)
      .orderBy(desc(jobs.id))
      .limit(limit)
      .offset(offset),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(jobs)
      .where(where),
  ]);
  return { items: rows.map(toJobView), total: counted?.n ?? 0, page, size };
}

/**
 * Cancels a queued or running job. The row turns `cancelled` at once, under its lock, so a run that is about to
 * publish sees it and commits nothing; the worker running it hears the request, kills its processes and removes
 * its files. Cancelling a cancelled job is a no-op; a finished one is a conflict. Maintainers and up.
 */
export async function cancelJob(
  db: Database,
  deps: JobDeps,
  input: { user: Actor; job: string },
): Promise<JobView> {
  const user = requireUser(input.user);
  const job = await requireJobRole(db, user, input.job, "maintainer");
  const id = Number(job.id);
  const events = await db.transaction(async (tx) => {
    const [row] = await tx.select({ state: jobs.state }).from(jobs).where(eq(jobs.id, id)).for("update");
    if (!row || row.state === "cancelled") return [];
    if (isFinalJobState(row.state)) {
      throw conflict(`Job ${id} already ${row.state}; there is nothing to cancel`);
    }
    const reason = `cancelled by ${user.name}`;
    await tx
      .update(jobs)
      .set({ state: "cancelled", error: reason, finishedAt: sql`now()`, claimToken: null })
      .where(eq(jobs.id, id));
    return appendJobEvents(tx, id, [{ type: "state", state: "cancelled", reason }]);
  });
  if (events.length > 0) {
    await announce(deps, id, events);
    await deps.bus.requestCancel(String(id)).catch(() => {});
  }
  return getJob(db, { user, job: input.job });
}

/** The build context a `runtime.build` payload names, if it builds from runtime.yaml. */
function buildContextOf(payload: unknown): string | undefined {
  const source = (payload as { source?: { contextDigest?: unknown } }).source;
  return typeof source?.contextDigest === "string" ? source.contextDigest : undefined;
}

/** Runs a failed or cancelled job again from scratch (same request, same payload). Maintainers and up. */
export async function retryJob(
  db: Database,
  deps: JobDeps,
  input: { user: Actor; job: string },
): Promise<JobView> {
  const user = requireUser(input.user);
  const job = await requireJobRole(db, user, input.job, "maintainer");
  const id = Number(job.id);
  const { events, row } = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(jobs).where(eq(jobs.id, id)).for("update");
    if (!row || (row.state !== "failed" && row.state !== "cancelled")) {
      throw conflict(`Job ${id} is ${row?.state ?? "gone"}; only failed or cancelled jobs can be retried`);
    }
    const context = buildContextOf(row.payload);
    if (context && row.projectId !== null && (await presentBlobs(tx, row.projectId, [context])).size === 0) {
      throw conflict(
        `Job ${id}'s build context ${context} is no longer on the server (collected as garbage after the job ended)`,
        "upload the context and submit the build again",
      );
    }
    await tx
      .update(jobs)
      .set({
        state: "queued",
        error: null,
        result: null,
        phase: null,
        progress: 0,
        startedAt: null,
        finishedAt: null,
        claimToken: null,
        heartbeatAt: sql`now()`,
      })
      .where(eq(jobs.id, id));
    const events = await appendJobEvents(tx, id, [
      { type: "state", state: "queued", reason: `retried by ${user.name}` },
    ]);
    return { events, row };
  });
  await announce(deps, id, events);
  const name = row.kind as keyof typeof jobCatalog;
  if (Object.hasOwn(jobCatalog, name)) {
    // A new BullMQ id: the failed run's entry may still be kept (or still be active while it stops).
    await deps.enqueuer
      .enqueue(name, { ...(row.payload as object), jobId: String(id) } as never, {
        bullJobId: `${bullJobId(String(id))}-${events[0]!.seq}`,
      })
      .catch(() => {});
  }
  return getJob(db, { user, job: input.job });
}
