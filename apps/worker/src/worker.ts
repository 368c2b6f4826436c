import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlobStore } from "@swhub/api/blobs/store";
import type { JobEventBus } from "@swhub/api/job-bus";
import type { Database } from "@swhub/db/client";
import { isAppError } from "@swhub/shared/errors";
import { type JobName, jobCatalog, type QueueName, queueNames } from "@swhub/shared/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { defaultStaleClaimMs } from "./claims";
import type { Handler, HandlerContext, HandlerMap } from "./handlers";
import { JobStop, type RunDeps, runClaimedJob } from "./run-job";

export interface StartWorkersOptions {
  connection: Redis;
  db: Database;
  blobs: BlobStore;
  bus: JobEventBus;
  prefix: string;
  concurrency: Record<QueueName, number>;
  handlers: HandlerMap;
  /** Where runs get their work directories (default: the system's temp directory). */
  workRoot?: string;
  /** Per-queue run time limits, replacing the catalog's. */
  timeoutMs?: Partial<Record<QueueName, number>>;
  /** How long BullMQ keeps a job locked to a worker without renewal before another may take it (default 30 s). */
  lockDurationMs?: number;
  /** Heartbeat period of a run's claim on its row, and when a claim counts as dead. */
  heartbeatMs?: number;
  staleClaimMs?: number;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

function isCatalogJob(name: string): name is JobName {
  return Object.hasOwn(jobCatalog, name);
}

/** A job queued without a row (a scheduled maintenance job): its reports go to the worker's own log. */
async function runRowless(
  job: Job,
  handler: Handler<JobName>,
  payload: unknown,
  deps: RunDeps,
  timeoutMs: number,
) {
  const say = (line: string) => console.log(`worker: ${job.name} ${job.id}: ${line}`);
  const ctx: HandlerContext = {
    db: deps.db,
    blobs: deps.blobs,
    jobId: null,
    signal: AbortSignal.any([deps.shutdown, AbortSignal.timeout(timeoutMs)]),
    workDir: deps.workRoot,
    phase: (name) => say(`phase ${name}`),
    progress: () => {},
    log: say,
    publish: (commit) => deps.db.transaction((tx) => commit(tx)),
  };
  try {
    return await handler(payload as never, ctx);
  } catch (error) {
    if (isAppError(error) && error.code !== "internal") throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** Runs one job: checks it belongs here, parses its payload, then runs its handler for its row (or without one). */
function createProcessor(queue: QueueName, options: StartWorkersOptions, deps: RunDeps) {
  return async (job: Job) => {
    if (!isCatalogJob(job.name) || jobCatalog[job.name].queue !== queue) {
      throw new UnrecoverableError(`Unknown job "${job.name}" on queue "${queue}"`);
    }
    const entry = jobCatalog[job.name];
    const parsed = entry.payload.safeParse(job.data);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`);
      throw new UnrecoverableError(`Invalid ${job.name} payload: ${reasons.join("; ")}`);
    }
    const handler = options.handlers[job.name] as Handler<JobName>;
    const timeoutMs = options.timeoutMs?.[queue] ?? entry.timeoutMs;
    const payload = parsed.data as { jobId?: unknown };
    if (typeof payload.jobId === "string" && /^\d+$/.test(payload.jobId)) {
      return runClaimedJob(job, { ...payload, jobId: payload.jobId }, handler, deps, timeoutMs);
    }
    return runRowless(job, handler, parsed.data, deps, timeoutMs);
  };
}

export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  const shutdown = new AbortController();
  const deps: RunDeps = {
    db: options.db,
    blobs: options.blobs,
    bus: options.bus,
    workRoot: options.workRoot ?? join(tmpdir(), "swhub-worker"),
    heartbeatMs: options.heartbeatMs ?? 5_000,
    staleClaimMs: options.staleClaimMs ?? defaultStaleClaimMs,
    shutdown: shutdown.signal,
    running: new Map(),
    deferred: [],
  };
  const retryDeferred = setInterval(() => {
    const pending = deps.deferred.splice(0);
    for (const write of pending) write().catch(() => deps.deferred.push(write));
  }, 1_000);
  // A cancel request reaches every worker; the one running the job stops it (kills its processes).
  const stopListening = await options.bus.onCancelRequest((jobId) => {
    const run = deps.running.get(Number(jobId));
    if (run && !run.signal.aborted) run.abort(new JobStop("cancelled", "the job was cancelled"));
  });
  const workers = queueNames.map(
    (queue) =>
      new Worker(queue, createProcessor(queue, options, deps), {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency[queue],
        ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
        ...(options.lockDurationMs ? { stalledInterval: options.lockDurationMs } : {}),
      }),
  );
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      clearInterval(retryDeferred);
      shutdown.abort();
      stopListening();
    },
  };
}
