import type { JobState } from "@swhub/shared/jobs";
import { stateStyles } from "./job-format";

/** A job's state as a coloured pill with its name in words (colour is never the only cue). */
export function StateBadge({ state }: { state: JobState }) {
  const style = stateStyles[state];
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${style.className}`}
      data-testid="job-state"
    >
      <span
        aria-hidden="true"
        className={`size-1.5 rounded-full bg-current ${state === "running" ? "animate-pulse" : ""}`}
      />
      {style.label}
    </span>
  );
}

/** A thin bar for a percentage, labelled for screen readers. */
export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  const value = Math.round(Math.min(100, Math.max(0, percent)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      className="h-1.5 w-full overflow-hidden rounded-full bg-surface-muted"
    >
      <div
        className="h-full rounded-full bg-accent transition-[width] duration-300"
        style={{ width: `${value}%` }}
      />
    </div>
  );
}
