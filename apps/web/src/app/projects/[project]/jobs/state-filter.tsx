import { type JobState, jobStates } from "@swhub/shared/jobs";
import Link from "next/link";
import { routes } from "~/lib/routes";
import { stateStyles } from "./job-format";
import { type JobQuery, jobQueryString } from "./job-query";

/** All, or one state: links, so the filter is part of the URL and works without script. */
export function StateFilter({ project, query }: { project: string; query: JobQuery }) {
  const options: { state: JobState | undefined; label: string }[] = [
    { state: undefined, label: "All" },
    ...jobStates.map((state) => ({ state, label: stateStyles[state].label })),
  ];
  return (
    <nav aria-label="Filter by state" className="flex flex-wrap gap-1.5 text-sm">
      {options.map((option) => {
        const current = query.state === option.state;
        return (
          <Link
            key={option.label}
            href={routes.jobs(project, jobQueryString({ ...query, state: option.state, page: 1 }))}
            aria-current={current ? "page" : undefined}
            className={`rounded-full border px-3 py-1 font-medium transition-colors ${
              current
                ? "border-accent bg-accent text-accent-fg"
                : "border-border bg-surface text-muted hover:text-text"
            }`}
          >
            {option.label}
          </Link>
        );
      })}
    </nav>
  );
}
