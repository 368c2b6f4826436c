import type { BlobStore } from "@swhub/api/blobs/store";
import type { JobEventBus } from "@swhub/api/job-bus";
import { bullJobId, type Enqueuer } from "@swhub/api/queue";
import { appendJobEvents } from "@swhub/api/services/job-events";
import type { Database } from "@swhub/db/client";
import { jobs } from "@swhub/db/schema";
import { type JobName, jobCatalog, type QueueName, queueNames } from "@swhub/shared/jobs";
import { Queue } from "bullmq";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Redis } from "ioredis";

export interface ReconcileDeps {
  db: Database;
  blobs: BlobStore;
  bus: JobEventBus;
  enqueuer: Enqueuer;
  connection: Redis;
  prefix: string;
  /** A running job whose claim has had no heartbeat for this long lost its worker. */
  staleClaimMs: number;
  /** A queued job Redis has had no entry for during this long is queued again. */
  requeueAfterMs: number;
}

export interface ReconcileReport {
  /** Running jobs whose worker died: queued again, or failed when out of attempts. */
  requeued: number;
  failed: number;
  /** Queued jobs Redis did not know of (lost with its data, or never added while it was away). */
  reenqueued: number;
}

const sinceMs = (ms: number) => sql`now() - make_interval(secs => ${ms / 1000})`;

/**
 * Makes the queue agree with the `jobs` rows, which are the truth: a job whose worker was killed mid-run is taken
 * back (its staged bundle upload dropped, so no orphan bytes stay) and queued for a fresh run, or failed when it
 * used its attempts; a queued job Redis forgot is added again. Every change is conditional on the row being as
 * read, so several workers may reconcile at once.
 */
export async function reconcileJobs(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { requeued: 0, failed: 0, reenqueued: 0 };
  const stale = await deps.db
    .select({
      id: jobs.id,
      kind: jobs.kind,
      attempt: jobs.attempt,
      payload: jobs.payload,
      token: jobs.claimToken,
    })
    .from(jobs)
    .where(and(eq(jobs.state, "running"), lt(jobs.heartbeatAt, sinceMs(deps.staleClaimMs))));
  for (const row of stale) {
    await dropStagedUploads(deps.blobs, row.id);
    const attempts = isCatalogJob(row.kind) ? jobCatalog[row.kind].options.attempts : 1;
    const again = row.attempt < attempts;
    const reason = again
      ? `the worker running attempt ${row.attempt} stopped; starting again from scratch`
      : `the worker running it stopped (attempt ${row.attempt} of ${attempts})`;
    const events = await deps.db.transaction(async (tx) => {
      const taken = await tx
        .update(jobs)
        .set({
          state: again ? "queued" : "failed",
          error: again ? null : reason,
          claimToken: null,
          heartbeatAt: sql`now()`,
          ...(again ? {} : { finishedAt: sql`now()` }),
        })
        .where(
          and(
            eq(jobs.id, row.id),
            eq(jobs.state, "running"),
            sql`${jobs.claimToken} IS NOT DISTINCT FROM ${row.token}`,
          ),
        )
        .returning({ id: jobs.id });
      if (taken.length === 0) return [];
      return appendJobEvents(tx, row.id, [{ type: "state", state: again ? "queued" : "failed", reason }]);
    });
    if (events.length === 0) continue;
    await deps.bus.publish(String(row.id), events).catch(() => {});
    if (again) {
      report.requeued++;
      await enqueueRow(deps, row, `a${row.attempt}`);
    } else report.failed++;
  }

  const waiting = await deps.db
    .select({ id: jobs.id, kind: jobs.kind, payload: jobs.payload, attempt: jobs.attempt })
    .from(jobs)
    .where(and(eq(jobs.state, "queued"), lt(jobs.heartbeatAt, sinceMs(deps.requeueAfterMs))));
  if (waiting.length > 0) {
    const known = await queuedRowIds(deps);
    for (const row of waiting) {
      if (known.has(String(row.id))) continue;
      const touched = await deps.db
        .update(jobs)
        .set({ heartbeatAt: sql`now()` })
        .where(and(eq(jobs.id, row.id), eq(jobs.state, "queued")))
        .returning({ id: jobs.id });
      if (touched.length === 0) continue;
      await enqueueRow(deps, row, `q${Date.now()}`);
      report.reenqueued++;
    }
  }
  return report;
}

function isCatalogJob(name: string): name is JobName {
  return Object.hasOwn(jobCatalog, name);
}

async function enqueueRow(
  deps: ReconcileDeps,
  row: { id: number; kind: string; payload: unknown },
  suffix: string,
): Promise<void> {
  if (!isCatalogJob(row.kind)) return;
  await deps.enqueuer.enqueue(row.kind, { ...(row.payload as object), jobId: String(row.id) } as never, {
    bullJobId: `${bullJobId(String(row.id))}-${suffix}`,
  });
}

/** The rows that have a BullMQ entry waiting, delayed or running. */
async function queuedRowIds(deps: ReconcileDeps): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const name of queueNames as readonly QueueName[]) {
    const queue = new Queue(name, { connection: deps.connection, prefix: deps.prefix });
    try {
      const entries = await queue.getJobs(["waiting", "delayed", "active", "prioritized"]);
      for (const entry of entries) {
        const jobId = (entry?.data as { jobId?: unknown } | undefined)?.jobId;
        if (typeof jobId === "string") ids.add(jobId);
      }
    } finally {
      await queue.close();
    }
  }
  return ids;
}

/** Staged uploads of a job's runs are named `job-<id>-…`; a dead run's are garbage at once. */
async function dropStagedUploads(store: BlobStore, jobId: number): Promise<void> {
  for await (const upload of store.listUploads()) {
    if (upload.uploadId.startsWith(`job-${jobId}-`)) await store.deleteUpload(upload.uploadId);
  }
}

/** Runs the reconciler every `everyMs` until stopped; a failing round (database away) is retried next time. */
export function startReconciler(deps: ReconcileDeps, everyMs: number): { stop(): Promise<void> } {
  let round: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    round = round.then(() =>
      reconcileJobs(deps).catch((error: unknown) =>
        console.error(`worker: reconcile: ${error instanceof Error ? error.message : String(error)}`),
      ),
    );
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}
