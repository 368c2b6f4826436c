import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AppHeader } from "~/components/app-header";
import { getCaller } from "~/trpc/server";
import { CreateProjectForm } from "./create-project-form";
import { EmptyProjects, ProjectList } from "./project-list";

export const metadata: Metadata = { title: "Projects" };
export const dynamic = "force-dynamic";

export default async function ProjectsPage() {
  const caller = await getCaller();
  const user = await caller.auth.me();
  if (!user) redirect("/signin");
  const projects = (await caller.project.list({ size: 500 })).items;
  return (
    <>
      <AppHeader user={user} />
      <main className="mx-auto max-w-6xl space-y-6 px-4 py-10 sm:px-6">
        <div className="flex items-baseline justify-between">
          <h1 className="text-2xl font-semibold tracking-tight">Projects</h1>
          {projects.length > 0 ? (
            <span className="text-sm text-muted">
              {projects.length} {projects.length === 1 ? "project" : "projects"}
            </span>
          ) : null}
        </div>
        <CreateProjectForm />
        {projects.length > 0 ? <ProjectList projects={projects} /> : <EmptyProjects />}
      </main>
    </>
  );
}
