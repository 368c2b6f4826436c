import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BlobStore } from "@swhub/api/blobs/store";
import type { JobEventBus } from "@swhub/api/job-bus";
import type { Database } from "@swhub/db/client";
import { isAppError } from "@swhub/shared/errors";
import type { JobEvent, JobEventInput, JobName } from "@swhub/shared/jobs";
import { type Job, UnrecoverableError } from "bullmq";
import { type Claim, ClaimLost, claimJob, heartbeat, publishJob, releaseJob } from "./claims";
import { createEventWriter } from "./event-writer";
import type { Handler, HandlerContext } from "./handlers";

/** Why a run was stopped from outside its handler. */
export class JobStop extends Error {
  override readonly name = "JobStop";
  constructor(
    readonly kind: "cancelled" | "timeout" | "database" | "shutdown",
    message: string,
  ) {
    super(message);
  }
}

export interface RunDeps {
  db: Database;
  blobs: BlobStore;
  bus: JobEventBus;
  /** Where runs get their work directories. */
  workRoot: string;
  staleClaimMs: number;
  heartbeatMs: number;
  /** Aborted when the worker shuts down. */
  shutdown: AbortSignal;
  /** Runs in progress in this process, by jobs row id, so a cancel request can stop them. */
  running: Map<number, AbortController>;
  /** Ends of runs the database refused (it was away), written when it answers again. */
  deferred: Array<() => Promise<unknown>>;
}

const errorText = (error: unknown): string => {
  if (isAppError(error)) return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
};

async function removeLeftovers(workRoot: string, jobId: number): Promise<void> {
  // A run of this job that died with its worker (on this machine) left its directory behind.
  const names = await readdir(workRoot).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.startsWith(`job-${jobId}-`))
      .map((name) => rm(join(workRoot, name), { recursive: true, force: true })),
  );
}

/** Retries a write for a few seconds: a database that blinked should not leave a job running forever. */
async function persist<T>(write: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (error) {
      if (i >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * i));
    }
  }
}

/**
 * One run of a job that reports to a `jobs` row: claim the row, run the handler with reports wired to the row's
 * events, keep the claim alive, and end the row as succeeded (through `ctx.publish`), queued for another attempt,
 * failed or left cancelled. The work directory goes away whatever happens.
 */
export async function runClaimedJob(
  job: Job,
  payload: { jobId: string },
  handler: Handler<JobName>,
  deps: RunDeps,
  timeoutMs: number,
): Promise<unknown> {
  const jobId = Number(payload.jobId);
  const claim = await claimJob(deps.db, { jobId, token: randomUUID(), staleMs: deps.staleClaimMs });
  // Cancelled, finished, or running elsewhere: this wake-up has nothing to do.
  if (!claim) return { skipped: true };

  const stopper = new AbortController();
  const stop = (kind: JobStop["kind"], message: string) => {
    if (!stopper.signal.aborted) stopper.abort(new JobStop(kind, message));
  };
  deps.running.set(jobId, stopper);
  const onShutdown = () => stop("shutdown", "the worker is shutting down");
  deps.shutdown.addEventListener("abort", onShutdown);
  const timer = setTimeout(
    () => stop("timeout", `timed out after ${Math.round(timeoutMs / 1000)} s`),
    timeoutMs,
  );
  const writer = createEventWriter({
    db: deps.db,
    bus: deps.bus,
    jobId,
    onStoreFailure: (error) => stop("database", `the database is unavailable: ${errorText(error)}`),
  });
  const beat = setInterval(() => {
    heartbeat(deps.db, claim).then(
      (held) => held || stop("cancelled", "the job was cancelled"),
      (error) => stop("database", `the database is unavailable: ${errorText(error)}`),
    );
  }, deps.heartbeatMs);
  const announce = (events: JobEvent[]) => deps.bus.publish(String(jobId), events).catch(() => {});

  writer.push({
    type: "state",
    state: "running",
    ...(claim.attempt > 1 ? { reason: `attempt ${claim.attempt}` } : {}),
  });
  await mkdir(deps.workRoot, { recursive: true });
  await removeLeftovers(deps.workRoot, jobId);
  const workDir = await mkdtemp(join(deps.workRoot, `job-${jobId}-`));
  let published = false;
  let phase = "";
  const ctx: HandlerContext = {
    db: deps.db,
    blobs: deps.blobs,
    jobId: String(jobId),
    signal: stopper.signal,
    workDir,
    phase(next) {
      phase = next;
      writer.push({ type: "phase", phase: next });
    },
    progress(percent, bytes) {
      const clamped = Math.max(0, Math.min(100, percent));
      writer.push({
        type: "progress",
        phase,
        percent: clamped,
        ...(bytes ? { bytes: bytes.done, totalBytes: bytes.total } : {}),
      });
    },
    log(line, stream = "engine") {
      writer.push({ type: "log", line, stream });
    },
    async publish(commit) {
      await writer.flush();
      stopper.signal.throwIfAborted();
      const { result, events } = await publishJob(deps.db, claim, commit);
      published = true;
      writer.close();
      await announce(events);
      return result;
    },
  };

  try {
    const result = await handler(payload as never, ctx);
    if (!published) await ctx.publish(async () => result ?? {});
    return result;
  } catch (error) {
    return await endFailedRun(job, claim, error, stopper.signal, writer, deps, announce);
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    deps.shutdown.removeEventListener("abort", onShutdown);
    deps.running.delete(jobId);
    await rm(workDir, { recursive: true, force: true });
  }
}

async function endFailedRun(
  job: Job,
  claim: Claim,
  error: unknown,
  signal: AbortSignal,
  writer: ReturnType<typeof createEventWriter>,
  deps: RunDeps,
  announce: (events: JobEvent[]) => Promise<void>,
): Promise<unknown> {
  const stop = signal.aborted && signal.reason instanceof JobStop ? signal.reason : undefined;
  await writer.flush().catch(() => {});
  writer.close();
  // Cancelled (the row says so already) or taken over: nothing of ours to record.
  if (error instanceof ClaimLost || stop?.kind === "cancelled") return { cancelled: true };

  const reason = stop ? stop.message : errorText(error);
  const attempts = job.opts.attempts ?? 1;
  const retryable =
    stop?.kind !== "timeout" &&
    !(error instanceof UnrecoverableError) &&
    (stop !== undefined || !isAppError(error) || error.code === "internal") &&
    job.attemptsMade + 1 < attempts;
  const logs: JobEventInput[] = [{ type: "log", stream: "engine", line: `error: ${reason}` }];
  if (retryable) {
    logs.push({ type: "log", stream: "engine", line: "another attempt will start from scratch" });
  }
  const release = async () =>
    announce(await releaseJob(deps.db, claim, { state: retryable ? "queued" : "failed", reason, logs }));
  try {
    await persist(release);
  } catch {
    // The database stayed away: the end is written when it is back (unless the reconciler took the job first).
    deps.deferred.push(release);
    throw new Error(reason);
  }
  if (retryable) throw new Error(reason);
  throw new UnrecoverableError(reason);
}
