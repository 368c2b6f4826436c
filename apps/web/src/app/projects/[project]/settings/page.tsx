import type { Metadata } from "next";
import { Problem } from "~/components/problem";
import { loadProject, permissions } from "~/server/project";
import { ProjectSettingsForm } from "./project-settings-form";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage({ params }: { params: Promise<{ project: string }> }) {
  const project = await loadProject(decodeURIComponent((await params).project));
  if (!project.ok) return null;
  if (!permissions(project.data.access).canManage)
    return (
      <Problem status="forbidden" message={`Only owners of ${project.data.name} can change its settings.`} />
    );
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold tracking-tight">Settings</h1>
      <ProjectSettingsForm
        project={project.data.name}
        isPublic={project.data.isPublic}
        description={project.data.description}
      />
    </div>
  );
}
