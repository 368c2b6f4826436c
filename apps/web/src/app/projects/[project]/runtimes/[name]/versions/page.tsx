import { redirect } from "next/navigation";
import { routes } from "~/lib/routes";

/** `…/runtimes/<name>/versions` (what swcli prints for a runtime) shows the runtime's history. */
export default async function VersionsPage({
  params,
}: {
  params: Promise<{ project: string; name: string }>;
}) {
  const { project, name } = await params;
  redirect(routes.runtime(decodeURIComponent(project), decodeURIComponent(name)));
}
