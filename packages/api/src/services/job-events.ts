import type { Database } from "@swhub/db/client";
import { jobLogs } from "@swhub/db/schema";
import type { JobEvent, JobEventInput } from "@swhub/shared/jobs";
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";

/**
 * Stores events of a job and gives them their numbers: one statement takes the next `seq`s from the job row's
 * counter (the row lock orders concurrent writers, e.g. the worker's log and a user's cancel) and inserts the
 * events, so numbers are gap-free and never reused. The phase and progress columns follow the latest events, for
 * lists. Returns the events as stored, to be published.
 *
 * `durable: false` (a worker's progress and log batches, on their own) commits without waiting for the WAL to
 * reach the disk: a few milliseconds less per batch, and a crash of Postgres can lose only the last batches,
 * counter included, so the numbers still have no gap. State changes are always durable.
 */
export async function appendJobEvents(
  db: Database,
  jobId: number,
  inputs: JobEventInput[],
  options: { at?: Date; durable?: boolean } = {},
): Promise<JobEvent[]> {
  const at = options.at ?? new Date();
  if (inputs.length === 0) return [];
  const stamp = at.toISOString();
  let phase: string | null = null;
  let progress: number | null = null;
  for (const input of inputs) {
    if (input.type === "phase") [phase, progress] = [input.phase, 0];
    else if (input.type === "progress") [phase, progress] = [input.phase, input.percent];
  }
  const bodies = inputs.map((input) => ({ ...input, at: stamp }));
  const result: unknown = await db.execute(sql`
    WITH settings AS (
      SELECT set_config('synchronous_commit', ${options.durable === false ? "off" : "on"}, true)
    ), counter AS (
      UPDATE jobs SET event_seq = event_seq + ${inputs.length},
        phase = coalesce(${phase}::text, phase),
        progress = coalesce(${progress}::real, progress)
      WHERE id = ${jobId}
      RETURNING event_seq
    )
    INSERT INTO job_logs (job_id, seq, event)
    SELECT ${jobId}, counter.event_seq - ${inputs.length} + e.ord::int, e.body
    FROM counter, settings, jsonb_array_elements(${JSON.stringify(bodies)}::jsonb) WITH ORDINALITY AS e(body, ord)
    RETURNING seq`);
  // postgres.js answers an array of rows, PGlite an object holding them.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
    seq: number;
  }>;
  const seqs = rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  if (seqs.length !== inputs.length) throw new Error(`job ${jobId} does not exist`);
  return bodies.map((body, i) => ({ ...body, seq: seqs[i]! }) as JobEvent);
}

/** A job's events after `afterSeq` (0: from the start), in order, at most `limit` (or up to `untilSeq`). */
export async function listJobEvents(
  db: Database,
  jobId: number,
  afterSeq: number,
  options: { limit?: number; untilSeq?: number } = {},
): Promise<JobEvent[]> {
  const rows = await db
    .select({ seq: jobLogs.seq, event: jobLogs.event })
    .from(jobLogs)
    .where(
      and(
        eq(jobLogs.jobId, jobId),
        gt(jobLogs.seq, afterSeq),
        options.untilSeq === undefined ? undefined : lte(jobLogs.seq, options.untilSeq),
      ),
    )
    .orderBy(asc(jobLogs.seq))
    .limit(options.limit ?? 1000);
  return rows.map((row) => ({ ...(row.event as Omit<JobEvent, "seq">), seq: row.seq }) as JobEvent);
}
