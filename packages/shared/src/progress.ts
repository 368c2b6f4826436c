/**
 * How long-running engine steps (locking, packing, restoring, pushing) report to whoever drives them:
 * the CLI draws bars on a TTY and plain lines in a pipe, the worker turns reports into job events.
 * Every method is optional to call; a sink must tolerate any order.
 */
export interface ProgressSink {
  /** A named phase starts, e.g. "lock", "pack", "restore". `total` is in `unit`s (default bytes) when known. */
  phase(name: string, total?: number, unit?: "bytes" | "items"): void;
  /** Absolute amount done within the current phase. */
  update(done: number, total?: number): void;
  /** A line of output worth keeping (pip's output, an engine notice). */
  log(line: string, stream?: "stdout" | "stderr" | "engine"): void;
}

/** A sink that drops everything, for callers that don't care. */
export const silentProgress: ProgressSink = { phase() {}, update() {}, log() {} };
