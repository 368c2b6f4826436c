import type { Route } from "next";

/**
 * Console paths, following Starwhale's console scheme so that a URL copied from the address bar is a valid swcli
 * URI (`https://host/projects/<p>/runtimes/<name>/versions/<v>/overview`).
 */
const seg = encodeURIComponent;

export const versionTabs = ["overview", "runtime-yaml", "manifest", "lock", "files"] as const;
export type VersionTab = (typeof versionTabs)[number];

export const routes = {
  projects: () => "/projects" as Route,
  account: () => "/account" as Route,
  project: (p: string) => `/projects/${seg(p)}/runtimes` as Route,
  runtimes: (p: string, query?: string) => `/projects/${seg(p)}/runtimes${query ? `?${query}` : ""}` as Route,
  members: (p: string) => `/projects/${seg(p)}/members` as Route,
  settings: (p: string) => `/projects/${seg(p)}/settings` as Route,
  jobs: (p: string, query?: string) => `/projects/${seg(p)}/jobs${query ? `?${query}` : ""}` as Route,
  job: (p: string, id: string) => `/projects/${seg(p)}/jobs/${seg(id)}` as Route,
  newBuild: (p: string) => `/projects/${seg(p)}/jobs/new` as Route,
  runtime: (p: string, name: string, query?: string) =>
    `/projects/${seg(p)}/runtimes/${seg(name)}${query ? `?${query}` : ""}` as Route,
  version: (p: string, name: string, version: string, tab: VersionTab = "overview") =>
    `/projects/${seg(p)}/runtimes/${seg(name)}/versions/${seg(version)}/${tab}` as Route,
  diff: (p: string, name: string, from?: string, to?: string) => {
    const query = new URLSearchParams();
    if (from) query.set("from", from);
    if (to) query.set("to", to);
    const q = query.toString();
    return `/projects/${seg(p)}/runtimes/${seg(name)}/diff${q ? `?${q}` : ""}` as Route;
  },
};
