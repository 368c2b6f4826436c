import { headers } from "next/headers";

/** This server's origin as the browser sees it: what swcli URIs and commands must name. */
export async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}

/** The swcli URI of a runtime or one of its versions on this server. */
export function runtimeUri(origin: string, project: string, name: string, version?: string): string {
  return `${origin}/project/${project}/runtime/${name}${version ? `/version/${version}` : ""}`;
}
