import { userInfo } from "node:os";
import { BUILTIN_LATEST_TAG } from "@swhub/shared/names";
import type { Store } from "./layout";
import { readTagIndex, tagsOf } from "./tag-index";
import { newestFirst, runtimeNames, type StoredVersion, scanVersions } from "./versions";

export interface VersionRow extends StoredVersion {
  tags: string[];
  owner: string;
}

export interface ListOptions {
  project: string;
  /** `-fl name=…`: a name prefix. */
  name?: string;
  /** `-fl owner=…`. Every local version belongs to the local user. */
  owner?: string;
  /** `-fl latest`: only each runtime's latest version. */
  latest?: boolean;
  /** `-sr`: include removed versions (marked `removed`). */
  showRemoved?: boolean;
  page?: number;
  size?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

/** Every version of one runtime with its tags, newest first. Removed versions carry their dormant tags. */
export async function runtimeVersions(
  store: Store,
  project: string,
  name: string,
  withRemoved = false,
): Promise<VersionRow[]> {
  const owner = localOwner();
  const [index, live, removed] = await Promise.all([
    readTagIndex(store, project, name),
    scanVersions(store, project, name),
    withRemoved ? scanVersions(store, project, name, true) : Promise.resolve([]),
  ]);
  const newestLive = newestFirst(index, live)[0]?.version;
  const rows = newestFirst(index, [...live, ...removed]).map((v) => {
    const tags = tagsOf(index, v.version).filter((t) => t !== BUILTIN_LATEST_TAG);
    return { ...v, owner, tags: v.version === newestLive ? [BUILTIN_LATEST_TAG, ...tags] : tags };
  });
  return rows;
}

/** `runtime history`: the versions of one runtime, newest first, without removed ones. */
export function runtimeHistory(store: Store, project: string, name: string): Promise<VersionRow[]> {
  return runtimeVersions(store, project, name);
}

/**
 * `runtime list`: versions of a project, by runtime name, newest first, with every filter, paging and
 * `--show-removed` honoured (DESIGN.md difference 4).
 */
export async function listVersions(store: Store, options: ListOptions): Promise<Page<VersionRow>> {
  const page = Math.max(1, options.page ?? 1);
  const size = Math.max(1, options.size ?? 20);
  const names = new Set(await runtimeNames(store, options.project));
  if (options.showRemoved) for (const n of await runtimeNames(store, options.project, true)) names.add(n);
  const wanted = [...names].sort().filter((n) => !options.name || n.startsWith(options.name));
  const perRuntime = await Promise.all(
    wanted.map((n) => runtimeVersions(store, options.project, n, options.showRemoved)),
  );
  let rows = perRuntime.flat();
  if (options.owner !== undefined) rows = rows.filter((r) => r.owner === options.owner);
  if (options.latest) rows = rows.filter((r) => r.tags.includes(BUILTIN_LATEST_TAG));
  return { items: rows.slice((page - 1) * size, page * size), total: rows.length, page, size };
}

function localOwner(): string {
  try {
    return userInfo().username;
  } catch {
    return "";
  }
}
