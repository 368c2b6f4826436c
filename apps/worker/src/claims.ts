import { appendJobEvents } from "@swhub/api/services/job-events";
import type { Database } from "@swhub/db/client";
import { jobs } from "@swhub/db/schema";
import type { JobEvent, JobEventInput, JobState } from "@swhub/shared/jobs";
import { and, eq, sql } from "drizzle-orm";

/** A claim without a heartbeat for this long is presumed dead: its job may be taken over. */
export const defaultStaleClaimMs = 20_000;

export interface Claim {
  jobId: number;
  token: string;
  /** Runs started so far, this one included. */
  attempt: number;
}

/**
 * Takes a job for one run: a queued job, or a running one whose claim went stale (its worker died). Anything else
 * (cancelled, finished, running elsewhere) is not ours, and undefined comes back.
 */
export async function claimJob(
  db: Database,
  input: { jobId: number; token: string; staleMs: number },
): Promise<Claim | undefined> {
  const stale = sql`now() - make_interval(secs => ${input.staleMs / 1000})`;
  const [row] = await db
    .update(jobs)
    .set({
      state: "running",
      claimToken: input.token,
      attempt: sql`${jobs.attempt} + 1`,
      startedAt: sql`now()`,
      heartbeatAt: sql`now()`,
      finishedAt: null,
      error: null,
      phase: null,
      progress: 0,
    })
    .where(
      and(
        eq(jobs.id, input.jobId),
        sql`(${jobs.state} = 'queued' OR (${jobs.state} = 'running' AND ${jobs.heartbeatAt} < ${stale}))`,
      ),
    )
    .returning({ attempt: jobs.attempt });
  if (!row) return undefined;
  return { jobId: input.jobId, token: input.token, attempt: row.attempt };
}

/** Refreshes the claim; false when it is gone (cancelled, or taken over after a long stall). */
export async function heartbeat(db: Database, claim: Claim): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(jobs.id, claim.jobId), eq(jobs.claimToken, claim.token), eq(jobs.state, "running")))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/**
 * Ends a run: moves the job to `state` (failed, or queued for another attempt) with its final event, in one
 * transaction, if this run still holds it. Returns the stored events, or [] when the claim was gone.
 */
export async function releaseJob(
  db: Database,
  claim: Claim,
  outcome: { state: Exclude<JobState, "running" | "succeeded">; reason: string; logs?: JobEventInput[] },
): Promise<JobEvent[]> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ state: jobs.state, token: jobs.claimToken })
      .from(jobs)
      .where(eq(jobs.id, claim.jobId))
      .for("update");
    if (row?.state !== "running" || row.token !== claim.token) return [];
    const final = outcome.state !== "queued";
    await tx
      .update(jobs)
      .set({
        state: outcome.state,
        error: outcome.reason,
        claimToken: null,
        heartbeatAt: sql`now()`,
        ...(final ? { finishedAt: sql`now()` } : {}),
      })
      .where(eq(jobs.id, claim.jobId));
    return appendJobEvents(tx, claim.jobId, [
      ...(outcome.logs ?? []),
      { type: "state", state: outcome.state, reason: outcome.reason },
    ]);
  });
}

/**
 * The transaction of `ctx.publish`: locks the job, checks this run still holds it, runs `commit`, marks the job
 * succeeded with its result and stores the final event, all or nothing.
 */
export async function publishJob<T extends Record<string, unknown>>(
  db: Database,
  claim: Claim,
  commit: (tx: Database) => Promise<T>,
): Promise<{ result: T; events: JobEvent[] }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ state: jobs.state, token: jobs.claimToken })
      .from(jobs)
      .where(eq(jobs.id, claim.jobId))
      .for("update");
    if (row?.state !== "running" || row.token !== claim.token) {
      throw new ClaimLost(row?.state === "cancelled" ? "the job was cancelled" : "the job is no longer ours");
    }
    const result = await commit(tx);
    await tx
      .update(jobs)
      .set({ state: "succeeded", result, claimToken: null, finishedAt: sql`now()`, progress: 100 })
      .where(eq(jobs.id, claim.jobId));
    const events = await appendJobEvents(tx, claim.jobId, [{ type: "state", state: "succeeded", result }]);
    return { result, events };
  });
}

/** This run may not finish the job: it was cancelled, or another worker took it over. */
export class ClaimLost extends Error {
  override readonly name = "ClaimLost";
}
