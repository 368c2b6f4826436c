import type { ProjectSummary } from "@swhub/api/services/projects";
import Link from "next/link";
import { routes } from "~/lib/routes";

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export function ProjectList({ projects }: { projects: ProjectSummary[] }) {
  return (
    <ul className="grid gap-3 sm:grid-cols-2" aria-label="Projects">
      {projects.map((project) => (
        <li
          key={project.id}
          className="relative rounded-xl border border-border bg-surface p-5 shadow-sm transition-colors focus-within:border-accent hover:border-accent"
        >
          <div className="flex items-center justify-between gap-3">
            <h2 className="truncate font-medium">
              {/* The whole card is the link's target area; the name is what a screen reader announces. */}
              <Link href={routes.project(project.name)} className="after:absolute after:inset-0">
                {project.name}
              </Link>
            </h2>
            <span className="shrink-0 rounded-full bg-surface-muted px-2 py-0.5 text-xs text-muted">
              {project.isPublic ? "Public" : "Private"}
            </span>
          </div>
          <p className="mt-2 text-sm text-muted">
            Owned by {project.owner.name}
            {project.role ? ` · you are ${project.role}` : ""} · created{" "}
            {dateFormat.format(project.createdAt)}
          </p>
          {project.description ? <p className="mt-2 line-clamp-2 text-sm">{project.description}</p> : null}
        </li>
      ))}
    </ul>
  );
}

export function EmptyProjects() {
  return (
    <section
      aria-labelledby="empty-projects-title"
      className="flex flex-col items-center rounded-2xl border border-dashed border-border bg-surface px-6 py-16 text-center"
    >
      <svg
        viewBox="0 0 48 48"
        aria-hidden="true"
        className="mb-5 size-12 text-accent"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <rect x="6" y="12" width="36" height="28" rx="4" opacity="0.35" />
        <path d="M6 18h36M16 12V8h16v4" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M24 24v10M19 29h10" strokeLinecap="round" />
      </svg>
      <h2 id="empty-projects-title" className="text-lg font-semibold">
        No projects yet
      </h2>
      <p className="mt-2 max-w-md text-sm text-muted">
        A project holds your team&apos;s runtimes, their versions and images. Create one above; projects you
        are added to will show up here too.
      </p>
    </section>
  );
}
