import type { JobView } from "@swhub/api/services/job-views";
import Link from "next/link";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { formatDateTime } from "~/lib/format";
import { routes } from "~/lib/routes";
import { jobDuration, kindLabel } from "./job-format";
import { ProgressBar, StateBadge } from "./state-badge";

/** Jobs, newest first: what ran, for which runtime, by whom, how long, and how far it got. */
export function JobsTable({ project, items, now }: { project: string; items: JobView[]; now: number }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
      <table className={tableClass} aria-label="Jobs">
        <thead>
          <tr>
            <th className={thClass} scope="col">
              Job
            </th>
            <th className={thClass} scope="col">
              State
            </th>
            <th className={`${thClass} hidden sm:table-cell`} scope="col">
              Runtime
            </th>
            <th className={`${thClass} hidden md:table-cell`} scope="col">
              Creator
            </th>
            <th className={`${thClass} hidden lg:table-cell`} scope="col">
              Created
            </th>
            <th className={`${thClass} hidden md:table-cell`} scope="col">
              Duration
            </th>
            <th className={`${thClass} w-40`} scope="col">
              Progress
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((job) => (
            <tr key={job.id} className="hover:bg-surface-muted/60" data-testid="job-row">
              <td className={tdClass}>
                <Link
                  href={routes.job(project, job.id)}
                  className="font-medium text-accent hover:underline"
                  aria-label={`${kindLabel(job.kind)} job ${job.id}`}
                >
                  #{job.id}
                </Link>{" "}
                <span className="text-muted">{kindLabel(job.kind)}</span>
                {job.runtimeName ? (
                  <span className="block font-mono text-xs text-muted sm:hidden">{job.runtimeName}</span>
                ) : null}
              </td>
              <td className={tdClass}>
                <StateBadge state={job.state} />
              </td>
              <td className={`${tdClass} hidden font-mono text-xs sm:table-cell`}>
                {job.runtimeName ?? "—"}
              </td>
              <td className={`${tdClass} hidden md:table-cell`}>{job.createdBy ?? "—"}</td>
              <td className={`${tdClass} hidden whitespace-nowrap text-muted lg:table-cell`}>
                {formatDateTime(job.createdAt)}
              </td>
              <td className={`${tdClass} hidden whitespace-nowrap tabular-nums md:table-cell`}>
                {jobDuration(job, now) ?? <span className="text-muted">—</span>}
              </td>
              <td className={tdClass}>
                <JobProgress job={job} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobProgress({ job }: { job: JobView }) {
  if (job.state === "succeeded") return <span className="text-xs text-muted">Done</span>;
  if (job.state === "queued") return <span className="text-xs text-muted">Waiting for a worker</span>;
  if (job.state !== "running")
    return (
      <span className="text-xs text-muted">{job.phase ? `Stopped in ${job.phase}` : "Not started"}</span>
    );
  return (
    <div className="space-y-1">
      <div className="flex justify-between text-xs text-muted">
        <span>{job.phase ?? "starting"}</span>
        <span className="tabular-nums">{Math.round(job.progress)}%</span>
      </div>
      <ProgressBar percent={job.progress} label={`Job ${job.id}, ${job.phase ?? "starting"}`} />
    </div>
  );
}
