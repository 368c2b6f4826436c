import { redirect } from "next/navigation";
import { routes } from "~/lib/routes";
import { type VersionParams, versionParams } from "~/server/version";

export default async function VersionPage({ params }: { params: Promise<VersionParams> }) {
  const { project, name, version } = await versionParams(params);
  redirect(routes.version(project, name, version));
}
