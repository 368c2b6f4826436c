import type { Metadata } from "next";
import Link from "next/link";
import { Problem } from "~/components/problem";
import { routes } from "~/lib/routes";
import { loadProject, permissions } from "~/server/project";
import { NewBuildForm } from "./new-build-form";

export const metadata: Metadata = { title: "New build" };
export const dynamic = "force-dynamic";

/** The server builds a runtime from a runtime.yaml and its files: for maintainers and owners. */
export default async function NewBuildPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent((await params).project);
  const access = await loadProject(project);
  if (!access.ok) return <Problem status={access.status} message={access.message} />;
  if (!permissions(access.data.access).canWrite) {
    return (
      <Problem
        status="forbidden"
        message={`Building runtimes in ${project} needs the maintainer or owner role.`}
        back={{ href: routes.jobs(project), label: "All jobs" }}
      />
    );
  }
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div className="space-y-1">
        <p className="text-sm text-muted">
          <Link href={routes.jobs(project)} className="hover:underline">
            Jobs
          </Link>{" "}
          /
        </p>
        <h1 className="text-xl font-semibold tracking-tight">New build</h1>
        <p className="text-sm text-muted">
          The server makes an isolated environment from your runtime.yaml, locks and packs it, and adds the
          result as a new version of the runtime in {project}. You can follow it live.
        </p>
      </div>
      <NewBuildForm project={project} />
    </div>
  );
}
