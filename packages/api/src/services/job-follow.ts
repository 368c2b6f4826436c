import type { Database } from "@swhub/db/client";
import { jobs } from "@swhub/db/schema";
import { isFinalJobState, type JobEvent } from "@swhub/shared/jobs";
import { eq } from "drizzle-orm";
import type { JobEventBus } from "../job-bus";
import type { Actor } from "./access";
import { listJobEvents } from "./job-events";
import { requireJobRole } from "./job-views";

const isFinalEvent = (event: JobEvent) => event.type === "state" && isFinalJobState(event.state);

/** Whether the job is over now: a final event followed by a retry is not the end of its stream. */
async function isOver(db: Database, jobId: number): Promise<boolean> {
  const [row] = await db.select({ state: jobs.state }).from(jobs).where(eq(jobs.id, jobId));
  return !row || isFinalJobState(row.state);
}

/**
 * A job's events after `afterSeq`, in order and without gaps, first what is stored, then live as the worker reports
 * them, until the job reaches a final state (or `signal` aborts). Live events come from the bus; whenever one
 * arrives out of order (a gap, or the bus dropped some while Redis was away) the missing ones are read from the
 * database, which has them because events are stored before they are published. A slow safety poll covers a bus
 * that said nothing at all. Guests of the job's project and up.
 */
export async function* followJobEvents(
  db: Database,
  bus: JobEventBus,
  input: { user: Actor; job: string; afterSeq?: number; signal?: AbortSignal; pollMs?: number },
): AsyncGenerator<JobEvent> {
  const job = await requireJobRole(db, input.user, input.job, "guest");
  const jobId = Number(job.id);
  const pollMs = input.pollMs ?? 2_000;
  let last = Math.max(0, input.afterSeq ?? 0);
  let live: JobEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = await bus.subscribe(job.id, (events) => {
    live.push(...events);
    wake?.();
  });
  const onAbort = () => wake?.();
  input.signal?.addEventListener("abort", onAbort);
  try {
    let readStore = true;
    while (!input.signal?.aborted) {
      if (readStore) {
        readStore = false;
        for (;;) {
          const stored = await listJobEvents(db, jobId, last, { limit: 500 });
          for (const event of stored) {
            last = event.seq;
            yield event;
            if (isFinalEvent(event) && event.seq === stored.at(-1)!.seq && (await isOver(db, jobId))) return;
          }
          if (stored.length < 500) break;
        }
        // Nothing after `last` and the job is over: the caller has seen everything.
        if ((await isOver(db, jobId)) && live.every((e) => e.seq <= last)) return;
      }
      if (live.length === 0) {
        const timedOut = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = undefined;
        if (timedOut) readStore = true;
        continue;
      }
      const batch = live.sort((a, b) => a.seq - b.seq);
      live = [];
      for (const event of batch) {
        if (event.seq <= last) continue;
        if (event.seq !== last + 1) {
          // A gap: what is missing is stored; read it, then whatever else is there.
          readStore = true;
          break;
        }
        last = event.seq;
        yield event;
        if (isFinalEvent(event) && (await isOver(db, jobId))) return;
      }
    }
  } finally {
    input.signal?.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
