import type { Database } from "@swhub/db/client";
import { isAppError } from "@swhub/shared/errors";
import { type JobName, jobCatalog, type QueueName, queueNames } from "@swhub/shared/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { HandlerMap } from "./handlers";

export interface StartWorkersOptions {
  connection: Redis;
  db: Database;
  prefix: string;
  concurrency: Record<QueueName, number>;
  handlers: HandlerMap;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

function isCatalogJob(name: string): name is JobName {
  return Object.hasOwn(jobCatalog, name);
}

/** Runs one job: checks it belongs here, parses its payload, calls its handler, maps its errors. */
function createProcessor(queue: QueueName, options: StartWorkersOptions, shutdown: AbortSignal) {
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
    const handler = options.handlers[job.name] as (payload: unknown, ctx: unknown) => Promise<unknown>;
    try {
      return await handler(parsed.data, {
        db: options.db,
        jobId: job.id!,
        signal: AbortSignal.any([shutdown, AbortSignal.timeout(entry.timeoutMs)]),
        updateProgress: (percent: number) => job.updateProgress(percent),
      });
    } catch (error) {
      // A user's mistake (not found, invalid input, ...) will not go away on retry.
      if (isAppError(error) && error.code !== "internal") throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}

export function startWorkers(options: StartWorkersOptions): RunningWorkers {
  const shutdown = new AbortController();
  const workers = queueNames.map(
    (queue) =>
      new Worker(queue, createProcessor(queue, options, shutdown.signal), {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency[queue],
      }),
  );
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      shutdown.abort();
    },
  };
}
