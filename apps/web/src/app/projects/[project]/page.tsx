import { redirect } from "next/navigation";
import { routes } from "~/lib/routes";

export default async function ProjectPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  redirect(routes.project(decodeURIComponent(project)));
}
