import type { JobEventBus } from "@swhub/api/job-bus";
import { appendJobEvents } from "@swhub/api/services/job-events";
import type { Database } from "@swhub/db/client";
import type { JobEventInput } from "@swhub/shared/jobs";

export interface EventWriter {
  push(event: JobEventInput): void;
  /** Resolves when everything pushed so far is stored and published (rejects if storing failed). */
  flush(): Promise<void>;
  /** Later reports are dropped: the job's final state is stored, and nothing may follow it. */
  close(): void;
}

/**
 * Batches a run's reports: whatever arrives while one batch is being stored goes into the next, so a burst of pip
 * output costs a few statements, while a lone progress report is stored and published at once (one round trip to
 * Postgres, one to Redis). When the database refuses a batch, `onStoreFailure` is told once and later reports
 * are dropped: the run is about to stop.
 */
export function createEventWriter(options: {
  db: Database;
  bus: JobEventBus;
  jobId: number;
  onStoreFailure: (error: unknown) => void;
}): EventWriter {
  let pending: JobEventInput[] = [];
  let running: Promise<void> | undefined;
  let failure: unknown;
  let closed = false;

  const drain = async () => {
    while (pending.length > 0 && failure === undefined) {
      const batch = pending;
      pending = [];
      try {
        const final = batch.some((event) => event.type === "state");
        const stored = await appendJobEvents(options.db, options.jobId, batch, { durable: final });
        // Live delivery is best effort: followers read what they missed from the database.
        await options.bus.publish(String(options.jobId), stored).catch(() => {});
      } catch (error) {
        failure = error;
        options.onStoreFailure(error);
      }
    }
    running = undefined;
  };

  return {
    push(event) {
      if (failure !== undefined || closed) return;
      pending.push(event);
      running ??= drain();
    },
    async flush() {
      while (running) await running;
      if (failure !== undefined) throw failure;
    },
    close() {
      closed = true;
    },
  };
}
