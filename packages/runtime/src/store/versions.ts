import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { RECOVER_DIR, runtimeDir, runtimesDir, type Store } from "./layout";
import { arrivalSeq, type TagIndex } from "./tag-index";

export interface StoredVersion {
  project: string;
  name: string;
  version: string;
  bundlePath: string;
  size: number;
  createdAt: Date;
  removed: boolean;
}

async function entries(dir: string): Promise<import("node:fs").Dirent[]> {
  return readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
    throw error;
  });
}

/** Runtime names of a project: live ones, or those with removed versions in the recycle area. */
export async function runtimeNames(store: Store, project: string, removed = false): Promise<string[]> {
  const dir = removed ? join(runtimesDir(store, project), RECOVER_DIR) : runtimesDir(store, project);
  const names = (await entries(dir))
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name);
  return names.sort();
}

/** Every bundle of one runtime, live or removed, read from the directory tree (`<v[:2]>/<v>.swrt`). */
export async function scanVersions(
  store: Store,
  project: string,
  name: string,
  removed = false,
): Promise<StoredVersion[]> {
  const base = removed
    ? join(runtimesDir(store, project), RECOVER_DIR, name)
    : runtimeDir(store, project, name);
  const found: StoredVersion[] = [];
  for (const shard of await entries(base)) {
    if (!shard.isDirectory() || shard.name.startsWith(".")) continue;
    for (const file of await entries(join(base, shard.name))) {
      if (!file.isFile() || !file.name.endsWith(".swrt") || !file.name.startsWith(shard.name)) continue;
      const bundlePath = join(base, shard.name, file.name);
      const info = await stat(bundlePath).catch(() => undefined);
      if (!info) continue;
      const version = file.name.slice(0, -".swrt".length);
      found.push({ project, name, version, bundlePath, size: info.size, createdAt: info.mtime, removed });
    }
  }
  return found;
}

/** Newest first: by arrival (`vN`), then by time, then by id so the order is total. */
export function newestFirst<T extends StoredVersion>(index: TagIndex, versions: T[]): T[] {
  return [...versions].sort(
    (a, b) =>
      arrivalSeq(index, b.version) - arrivalSeq(index, a.version) ||
      b.createdAt.getTime() - a.createdAt.getTime() ||
      a.version.localeCompare(b.version),
  );
}
