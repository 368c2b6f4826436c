import type { ProjectUri, ResourceUri } from "./types";

/** The one canonical string of a project: `<instance uri>/project/<project>`. */
export function formatProjectUri(uri: ProjectUri): string {
  return `${uri.instance.uri}/project/${uri.project}`;
}

/**
 * The one canonical string of a resource: `<instance uri>/project/<p>/<type>/<name>[/version/<v>]`, where the
 * instance uri is `local` or the server's origin. Unlike Starwhale we print no `/version/latest` for a URI without a
 * version, because "no version" means every version to `remove` and `recover` (DESIGN.md difference 3).
 */
export function formatResourceUri(uri: ResourceUri): string {
  const version = uri.version ? `/version/${uri.version}` : "";
  return `${formatProjectUri(uri)}/${uri.type}/${uri.name}${version}`;
}

/** The console page of a project, runtime or version: a URL that is also a valid swcli URI. */
export function consoleUrl(uri: ProjectUri & { name?: string; version?: string }, tab = "overview"): string {
  const base = `${uri.instance.uri}/projects/${encodeURIComponent(uri.project)}/runtimes`;
  if (!uri.name) return base;
  const runtime = `${base}/${encodeURIComponent(uri.name)}`;
  return uri.version
    ? `${runtime}/versions/${encodeURIComponent(uri.version)}/${tab}`
    : `${runtime}/versions`;
}
