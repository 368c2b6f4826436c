"use client";

import { buildPhases, dockerizePhases, type JobState } from "@swhub/shared/jobs";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { alertClass, buttonClass, cardClass } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { formatDateTime, shortVersion } from "~/lib/format";
import { routes } from "~/lib/routes";
import { useTRPC } from "~/trpc/react";
import { jobDuration, kindLabel } from "../job-format";
import { ProgressBar, StateBadge } from "../state-badge";
import { JobLog } from "./job-log";
import { initialStreamState, overallPercent } from "./job-stream-state";
import { PhaseSteps } from "./phase-steps";
import { type Connection, useJobEvents } from "./use-job-events";

/** A job as the server rendered it; dates as ISO strings so they cross to the browser as they are. */
export interface JobSnapshot {
  id: string;
  kind: string;
  state: JobState;
  runtimeName: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  result: Record<string, unknown> | null;
  attempt: number;
}

const connectionText: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Connection lost, reconnecting…",
  ended: "Finished",
  lost: "Disconnected. Reload the page to follow this job again.",
};

/** Ticks every second while `on`, for the running duration. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

export function JobLive({
  project,
  job,
  canWrite,
}: {
  project: string;
  job: JobSnapshot;
  canWrite: boolean;
}) {
  const { stream, connection, resume } = useJobEvents(job.id, initialStreamState(job));
  const trpc = useTRPC();
  const [times, setTimes] = useState({ startedAt: job.startedAt, finishedAt: job.finishedAt });
  const running = stream.state === "running" || stream.state === "queued";
  const now = useNow(running);

  // The stream says when the state changed; the page keeps start and finish times in step with it.
  const { state } = stream;
  useEffect(() => {
    const at = new Date().toISOString();
    if (state === "running") setTimes((t) => ({ startedAt: t.startedAt ?? at, finishedAt: null }));
    else if (state === "queued") setTimes({ startedAt: null, finishedAt: null });
    else setTimes((t) => ({ ...t, finishedAt: t.finishedAt ?? at }));
  }, [state]);

  const cancel = useMutation(trpc.job.cancel.mutationOptions());
  const retry = useMutation(trpc.job.retry.mutationOptions({ onSuccess: () => resume() }));
  const actionError = cancel.error ?? retry.error;

  const phases = job.kind === "runtime.dockerize" ? dockerizePhases : buildPhases;
  const percent = overallPercent(stream, phases);
  const result = stream.result as {
    name?: string;
    version?: string;
    alias?: string;
    tags?: string[];
    /** An image job's first reference. */
    image?: string;
  } | null;
  const duration = jobDuration(times, now);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-1">
          <p className="text-sm text-muted">
            <Link href={routes.jobs(project)} className="hover:underline">
              Jobs
            </Link>{" "}
            /
          </p>
          <h1 className="flex flex-wrap items-center gap-3 text-xl font-semibold tracking-tight">
            <span>
              {kindLabel(job.kind)} #{job.id}
              {job.runtimeName ? (
                <span className="font-mono text-base text-muted"> · {job.runtimeName}</span>
              ) : null}
            </span>
            <StateBadge state={stream.state} />
          </h1>
          <dl className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-muted">
            <div className="flex gap-1">
              <dt>By</dt>
              <dd className="text-text">{job.createdBy ?? "—"}</dd>
            </div>
            <div className="flex gap-1">
              <dt>Created</dt>
              <dd className="text-text">{formatDateTime(new Date(job.createdAt))}</dd>
            </div>
            <div className="flex gap-1">
              <dt>Duration</dt>
              <dd className="text-text tabular-nums" data-testid="job-duration">
                {duration ?? "not started"}
              </dd>
            </div>
          </dl>
        </div>
        {canWrite ? (
          <div className="flex flex-wrap items-center gap-2">
            {running ? (
              <ConfirmButton
                label="Cancel job"
                question="Stop this job? Its processes are killed and its files removed."
                confirmLabel="Yes, cancel"
                pending={cancel.isPending}
                onConfirm={() => cancel.mutate({ job: job.id })}
              />
            ) : null}
            {stream.state === "failed" || stream.state === "cancelled" ? (
              <button
                type="button"
                className={buttonClass}
                disabled={retry.isPending}
                onClick={() => retry.mutate({ job: job.id })}
              >
                {retry.isPending ? "Retrying…" : "Retry"}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>

      {actionError ? (
        <p role="alert" className={alertClass}>
          {describeError(actionError)}
        </p>
      ) : null}

      {stream.state === "failed" || stream.state === "cancelled" ? (
        <section role="alert" className={`${alertClass} space-y-1`} data-testid="job-reason">
          <h2 className="font-semibold">
            {stream.state === "failed" ? "The job failed" : "The job was cancelled"}
          </h2>
          <p className="whitespace-pre-wrap break-words">{stream.reason ?? "No reason was given."}</p>
        </section>
      ) : null}

      {stream.state === "succeeded" && result?.name && result.version ? (
        <section
          className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-up/40 bg-up/10 px-4 py-3 text-sm"
          data-testid="job-result"
        >
          {result.image ? (
            <p>
              Pushed <span className="break-all font-mono font-medium">{result.image}</span>, the image of{" "}
              {result.name} {result.alias ?? shortVersion(result.version)}.
            </p>
          ) : (
            <p>
              Built <span className="font-mono font-medium">{result.name}</span> version{" "}
              <span className="font-mono">{shortVersion(result.version)}</span>
              {result.alias ? ` (${result.alias})` : ""}
              {result.tags?.length ? `, tagged ${result.tags.join(", ")}` : ""}.
            </p>
          )}
          <Link href={routes.version(project, result.name, result.version)} className={buttonClass}>
            Open the version
          </Link>
        </section>
      ) : null}

      <section aria-labelledby="progress-title" className={`${cardClass} space-y-3 p-4`}>
        <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
          <h2 id="progress-title" className="font-semibold">
            Progress
          </h2>
          <span className="flex items-center gap-3 text-muted">
            <span className="tabular-nums" data-testid="job-percent">
              {Math.round(percent)}%
            </span>
            <span
              role="status"
              aria-live="polite"
              data-testid="job-connection"
              className="flex items-center gap-1.5"
            >
              <span
                aria-hidden="true"
                className={`size-2 rounded-full ${
                  connection === "live"
                    ? "animate-pulse bg-up"
                    : connection === "ended"
                      ? "bg-muted"
                      : connection === "lost"
                        ? "bg-rm"
                        : "bg-down"
                }`}
              />
              {connectionText[connection]}
            </span>
          </span>
        </div>
        <ProgressBar percent={percent} label="Overall progress" />
        <PhaseSteps phases={phases} stream={stream} />
        {stream.state === "queued" ? (
          <p className="text-sm text-muted">Waiting for a worker to pick this job up…</p>
        ) : null}
      </section>

      <JobLog
        jobId={job.id}
        chunks={stream.log}
        count={stream.logLines}
        live={connection !== "ended" && connection !== "lost"}
      />
    </div>
  );
}
