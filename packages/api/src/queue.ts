import { invalidInput } from "@swhub/shared/errors";
import { type JobName, type JobPayload, jobCatalog, type QueueName } from "@swhub/shared/jobs";
import { Queue } from "bullmq";
import { Redis } from "ioredis";

/**
 * The one Redis connection factory. A producer (the web app) fails fast when Redis is away instead of
 * queueing commands in memory; a worker waits and retries forever, as BullMQ requires.
 */
export function createRedis(url: string, role: "producer" | "worker"): Redis {
  return role === "producer"
    ? new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : new Redis(url, { maxRetriesPerRequest: null });
}

/** Key prefix for every queue; separate prefixes keep several instances (or test runs) apart on one Redis. */
export const defaultQueuePrefix = "swhub";

/**
 * A job that reports to a `jobs` row gets a BullMQ id made from that row's id, so enqueueing it twice
 * adds it once. BullMQ refuses ids that are integers, hence the prefix.
 */
export function bullJobId(jobsRowId: string): string {
  return `job-${jobsRowId}`;
}

export interface Enqueuer {
  /**
   * Validates the payload against the catalog and adds the job. Returns the BullMQ job id. `bullJobId` replaces
   * the default id (a retry or a re-queue of a jobs row needs a fresh one).
   */
  enqueue<N extends JobName>(
    name: N,
    payload: JobPayload<N>,
    options?: { bullJobId?: string },
  ): Promise<{ id: string }>;
  close(): Promise<void>;
}

export function createEnqueuer(connection: Redis, prefix = defaultQueuePrefix): Enqueuer {
  const queues = new Map<QueueName, Queue>();
  const queueOf = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async enqueue(name, payload, options) {
      const entry = jobCatalog[name];
      const parsed = entry.payload.safeParse(payload);
      if (!parsed.success) {
        throw invalidInput(`Invalid ${name} job: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
      }
      const data = parsed.data as Record<string, unknown>;
      const jobId =
        options?.bullJobId ?? (typeof data.jobId === "string" ? bullJobId(data.jobId) : undefined);
      const job = await queueOf(entry.queue).add(name, data, {
        ...entry.options,
        jobId,
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      });
      return { id: job.id! };
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
