import type { Database } from "@swhub/db/client";
import type { JobName, ParsedJobPayload } from "@swhub/shared/jobs";
import { UnrecoverableError } from "bullmq";

export interface HandlerContext {
  db: Database;
  /** The BullMQ job id. */
  jobId: string;
  /** Aborted when the job runs past its catalog timeout or the worker shuts down. */
  signal: AbortSignal;
  updateProgress(percent: number): Promise<void>;
}

export type Handler<N extends JobName> = (
  payload: ParsedJobPayload<N>,
  ctx: HandlerContext,
) => Promise<unknown>;

/** One handler per job in the catalog: adding a job name without a handler fails the typecheck. */
export type HandlerMap = { [N in JobName]: Handler<N> };

function notImplemented(name: JobName): Handler<JobName> {
  return async () => {
    // Unrecoverable: retrying cannot help, so the job fails at once with this reason.
    throw new UnrecoverableError(`${name} is not implemented yet in this worker`);
  };
}

export const handlers: HandlerMap = {
  "runtime.build": notImplemented("runtime.build"),
  "runtime.dockerize": notImplemented("runtime.dockerize"),
  "blobs.gc": notImplemented("blobs.gc"),
};
