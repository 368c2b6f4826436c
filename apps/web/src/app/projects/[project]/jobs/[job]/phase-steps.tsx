import { type JobStreamState, phaseStatus } from "./job-stream-state";

const statusText = {
  done: "done",
  current: "in progress",
  stopped: "stopped here",
  pending: "not started",
} as const;

/** The build's phases as steps: done ones ticked, the current one with its percentage, where it stopped marked. */
export function PhaseSteps({ phases, stream }: { phases: readonly string[]; stream: JobStreamState }) {
  return (
    <ol aria-label="Phases" className="grid grid-cols-3 gap-2 sm:grid-cols-6">
      {phases.map((phase, index) => {
        const status = phaseStatus(stream, phase);
        const tone =
          status === "done"
            ? "border-up/40 bg-up/10 text-up"
            : status === "current"
              ? "border-accent bg-accent/10 text-accent"
              : status === "stopped"
                ? "border-rm/40 bg-rm/10 text-rm"
                : "border-border text-muted";
        return (
          <li
            key={phase}
            className={`rounded-lg border px-2.5 py-2 text-xs ${tone}`}
            data-testid={`phase-${phase}`}
            data-status={status}
            aria-current={status === "current" ? "step" : undefined}
          >
            <div className="flex items-center justify-between gap-1 font-medium">
              <span>
                <span aria-hidden="true">{status === "done" ? "✓ " : status === "stopped" ? "✕ " : ""}</span>
                {index + 1}. {phase}
              </span>
              {status === "current" ? (
                <span className="tabular-nums">{Math.round(stream.percent)}%</span>
              ) : null}
            </div>
            <span className="sr-only">, {statusText[status]}</span>
          </li>
        );
      })}
    </ol>
  );
}
