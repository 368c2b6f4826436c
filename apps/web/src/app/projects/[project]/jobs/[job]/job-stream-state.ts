import { isFinalJobState, type JobEvent, type JobState } from "@swhub/shared/jobs";

export interface LogLine {
  seq: number;
  line: string;
  stream: "stdout" | "stderr" | "engine";
}

/** What the job page shows, folded from the job's events in seq order. */
export interface JobStreamState {
  /** The last seq applied: a resumed stream starts after it. */
  lastSeq: number;
  state: JobState;
  /** Phases of the current run in the order they started. */
  phases: string[];
  phase: string | null;
  /** Percent done within `phase`. */
  percent: number;
  /**
   * The log in chunks of `LOG_CHUNK` lines. A full chunk never changes, so appending copies at most one chunk and
   * the page re-renders only the last one: a log of many thousand lines stays cheap to follow.
   */
  log: LogLine[][];
  logLines: number;
  /** Why the job failed or was cancelled. */
  reason: string | null;
  result: Record<string, unknown> | null;
}

export function initialStreamState(job: {
  state: JobState;
  error: string | null;
  result: Record<string, unknown> | null;
}): JobStreamState {
  // Replaying from seq 0 rebuilds everything; the job row only seeds what shows before the first event.
  return {
    lastSeq: 0,
    state: job.state,
    phases: [],
    phase: null,
    percent: 0,
    log: [],
    logLines: 0,
    reason: job.error,
    result: job.result,
  };
}

/**
 * Applies events (already seen ones, by seq, are ignored, so a resumed stream that repeats some is harmless).
 * A retry (state back to queued) starts a new run: phases and progress restart, the log keeps going with a
 * marker line so the earlier attempt's output stays readable.
 */
export function applyJobEvents(current: JobStreamState, events: JobEvent[]): JobStreamState {
  let next = current;
  // New lines are gathered and appended once, so replaying a long log stays linear.
  const appended: LogLine[] = [];
  for (const event of events) {
    if (event.seq <= next.lastSeq) continue;
    next = { ...next, lastSeq: event.seq };
    switch (event.type) {
      case "phase":
        next.phases = next.phases.includes(event.phase) ? next.phases : [...next.phases, event.phase];
        next.phase = event.phase;
        next.percent = 0;
        break;
      case "progress":
        if (event.phase !== next.phase) {
          next.phases = next.phases.includes(event.phase) ? next.phases : [...next.phases, event.phase];
          next.phase = event.phase;
        }
        next.percent = event.percent;
        break;
      case "log":
        appended.push({ seq: event.seq, line: event.line, stream: event.stream });
        break;
      case "state": {
        const restarted = event.state === "queued" && next.logLines + appended.length > 0;
        next.state = event.state;
        if (event.state === "queued" || event.state === "running") {
          next.reason = null;
          if (event.state === "queued") next.result = null;
        } else {
          next.reason = event.reason ?? null;
          next.result = event.result ?? null;
        }
        if (restarted) {
          next.phases = [];
          next.phase = null;
          next.percent = 0;
          const why = event.reason ? ` (${event.reason})` : "";
          appended.push({ seq: event.seq, line: `── queued again${why} ──`, stream: "engine" });
        }
        if (event.state === "succeeded") next.percent = 100;
        break;
      }
    }
  }
  return appended.length > 0
    ? { ...next, log: appendChunked(next.log, appended), logLines: next.logLines + appended.length }
    : next;
}

export const LOG_CHUNK = 500;

function appendChunked(chunks: LogLine[][], lines: LogLine[]): LogLine[][] {
  const out = chunks.slice();
  // The last chunk is shared with the previous state: copy it before adding to it.
  let last = out.length > 0 && out.at(-1)!.length < LOG_CHUNK ? [...out.pop()!] : [];
  for (const line of lines) {
    if (last.length === LOG_CHUNK) {
      out.push(last);
      last = [];
    }
    last.push(line);
  }
  out.push(last);
  return out;
}

export const isStreamOver = (state: JobStreamState) => isFinalJobState(state.state);

/** Where a phase stands for the step list: done, running now, where it stopped, or still to come. */
export function phaseStatus(
  stream: JobStreamState,
  phase: string,
): "done" | "current" | "stopped" | "pending" {
  const started = stream.phases.indexOf(phase);
  if (started < 0) return "pending";
  if (stream.state === "succeeded") return "done";
  if (phase !== stream.phase) return "done";
  return stream.state === "running" || stream.state === "queued" ? "current" : "stopped";
}

/** Overall progress of a phased job: finished phases, plus the share of the current one. */
export function overallPercent(stream: JobStreamState, allPhases: readonly string[]): number {
  if (stream.state === "succeeded") return 100;
  const index = stream.phase ? allPhases.indexOf(stream.phase) : -1;
  if (index < 0 || allPhases.length === 0) return 0;
  return ((index + stream.percent / 100) / allPhases.length) * 100;
}
