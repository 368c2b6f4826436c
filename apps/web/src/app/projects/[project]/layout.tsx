import type { ReactNode } from "react";
import { AppHeader } from "~/components/app-header";
import { Problem } from "~/components/problem";
import { routes } from "~/lib/routes";
import { loadProject } from "~/server/project";
import { getCaller } from "~/trpc/server";
import { ProjectNav } from "./project-nav";

export const dynamic = "force-dynamic";

/** Every project page: the header, the project's name and visibility, and its sections. */
export default async function ProjectLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ project: string }>;
}) {
  const { project: ref } = await params;
  const caller = await getCaller();
  const [user, project] = await Promise.all([caller.auth.me(), loadProject(decodeURIComponent(ref))]);
  return (
    <>
      <AppHeader user={user} />
      {project.ok ? (
        <>
          <div className="border-b border-border bg-surface">
            <div className="mx-auto max-w-6xl px-4 pt-5 sm:px-6">
              <div className="flex flex-wrap items-center gap-3">
                <p className="text-sm text-muted">
                  <a href={routes.projects()} className="hover:underline">
                    Projects
                  </a>{" "}
                  /
                </p>
                <p className="text-lg font-semibold tracking-tight" data-testid="project-name">
                  {project.data.name}
                </p>
                <span className="rounded-full bg-surface-muted px-2 py-0.5 text-xs text-muted">
                  {project.data.isPublic ? "Public" : "Private"}
                </span>
                <span className="text-xs text-muted" data-testid="project-role">
                  {project.data.role ? `You are ${project.data.role}` : `Viewing as ${project.data.access}`}
                </span>
              </div>
              <ProjectNav project={project.data.name} access={project.data.access} />
            </div>
          </div>
          <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6">{children}</main>
        </>
      ) : (
        <main className="px-4">
          <Problem
            status={project.status}
            message={project.message}
            back={{ href: routes.projects(), label: "All projects" }}
          />
        </main>
      )}
    </>
  );
}
