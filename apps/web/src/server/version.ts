import { cache } from "react";
import { getCaller } from "~/trpc/server";
import { load } from "./load";

/** One version's details, once per request for the version layout and its tab. */
export const loadVersion = cache(async (project: string, name: string, version: string) => {
  const caller = await getCaller();
  return load(() => caller.runtime.info({ project, name, version }));
});

export type VersionParams = { project: string; name: string; version: string };

export async function versionParams(params: Promise<VersionParams>): Promise<VersionParams> {
  const p = await params;
  return {
    project: decodeURIComponent(p.project),
    name: decodeURIComponent(p.name),
    version: decodeURIComponent(p.version),
  };
}
