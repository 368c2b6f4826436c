import type { JobState } from "@swhub/shared/jobs";

/** What each state is called, and its colour tokens (the same in the list and on the job page). */
export const stateStyles: Record<JobState, { label: string; className: string }> = {
  queued: { label: "Queued", className: "bg-surface-muted text-muted" },
  running: { label: "Running", className: "bg-add/15 text-add" },
  succeeded: { label: "Succeeded", className: "bg-up/15 text-up" },
  failed: { label: "Failed", className: "bg-rm/15 text-rm" },
  cancelled: { label: "Cancelled", className: "bg-down/15 text-down" },
};

/** `runtime.build` → "Build", so the list reads as words; unknown kinds show as they are. */
export function kindLabel(kind: string): string {
  const known: Record<string, string> = {
    "runtime.build": "Build",
    "runtime.dockerize": "Image",
    "blobs.gc": "Blob cleanup",
  };
  return known[kind] ?? kind;
}

/** "4.2 s", "3 min 05 s", "1 h 02 min": how long a run took, or has taken so far. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const whole = Math.floor(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** A job's run time: start to finish, or start to `now` while it runs; none before it starts. */
export function jobDuration(
  job: { startedAt: Date | string | null; finishedAt: Date | string | null },
  now: number,
): string | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? new Date(job.finishedAt).getTime() : now;
  return formatDuration(end - new Date(job.startedAt).getTime());
}
