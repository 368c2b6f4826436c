import type { BlobStore } from "@swhub/api/blobs/store";
import type { Database } from "@swhub/db/client";
import type { JobName, LogStream, ParsedJobPayload } from "@swhub/shared/jobs";
import { UnrecoverableError } from "bullmq";

/**
 * What a handler gets for one run of one job. Reports (`phase`, `progress`, `log`) become the job's events: stored
 * in `job_logs` and published live, batched by the runner, so calling them often is cheap and never blocks.
 */
export interface HandlerContext {
  db: Database;
  blobs: BlobStore;
  /** The `jobs` row id this run reports to; null for jobs queued without a row (e.g. a scheduled `blobs.gc`). */
  jobId: string | null;
  /**
   * Aborted when the job is cancelled, runs past its timeout, the database goes away, or the worker shuts down;
   * `signal.reason` is an Error saying which. Pass it to every process and request the handler starts.
   */
  signal: AbortSignal;
  /** A fresh directory for this run, removed after it whatever happens. */
  workDir: string;
  /** A phase starts (`buildPhases` for builds); progress restarts at 0. */
  phase(name: string): void;
  /** Percent done within the current phase, 0 to 100. */
  progress(percent: number, bytes?: { done: number; total: number }): void;
  /** One line for the job's log: pip's output, the engine's notices. */
  log(line: string, stream?: LogStream): void;
  /**
   * Commits what the run made in one transaction that also marks the job succeeded with the returned result. The
   * job row is locked first: if the job was cancelled, or this run lost its claim (another worker took over), it
   * throws and nothing is committed. Call it once, at the end.
   */
  publish<T extends Record<string, unknown>>(commit: (tx: Database) => Promise<T>): Promise<T>;
}

export type Handler<N extends JobName> = (
  payload: ParsedJobPayload<N>,
  ctx: HandlerContext,
) => Promise<Record<string, unknown> | undefined>;

/** One handler per job in the catalog: adding a job name without a handler fails the typecheck. */
export type HandlerMap = { [N in JobName]: Handler<N> };

export function notImplemented(name: JobName): Handler<JobName> {
  return async () => {
    // Unrecoverable: retrying cannot help, so the job fails at once with this reason.
    throw new UnrecoverableError(`${name} is not implemented yet in this worker`);
  };
}
