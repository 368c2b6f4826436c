import { lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { shortVersion } from "@swhub/shared/version-id";
import {
  bundlePath,
  RECOVER_DIR,
  runtimeDir,
  runtimesDir,
  type Store,
  snapshotDir,
  tagIndexPath,
} from "./layout";
import { dropVersion, refreshLatest, type TagIndex, updateTagIndex } from "./tag-index";
import { newestFirst, runtimeNames, type StoredVersion, scanVersions } from "./versions";

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Moves a file or directory, replacing what is at the destination; a missing source is fine. */
async function moveReplacing(from: string, to: string): Promise<void> {
  if (!(await exists(from))) return;
  await mkdir(dirname(to), { recursive: true });
  await rm(to, { recursive: true, force: true });
  await rename(from, to);
}

async function relatest(store: Store, project: string, name: string, index: TagIndex): Promise<void> {
  const live = newestFirst(index, await scanVersions(store, project, name));
  refreshLatest(
    index,
    live.map((v) => v.version),
  );
}

export interface RemoveOptions {
  /** Delete for good instead of moving to the recycle area. */
  force?: boolean;
}

/**
 * `runtime remove`: one version, or every version when none is given (DESIGN.md difference 3). A soft remove moves
 * the bundle and its snapshot to the recycle area and keeps the version's tags dormant, so `recover` brings them
 * back; `latest` moves to the newest version left.
 */
export async function removeVersions(
  store: Store,
  project: string,
  name: string,
  version: string | undefined,
  options: RemoveOptions = {},
) {
  const live = await scanVersions(store, project, name);
  const targets = version === undefined ? live : live.filter((v) => v.version === version);
  if (targets.length === 0) {
    const what = version === undefined ? `runtime ${name}` : `version ${shortVersion(version)} of ${name}`;
    throw new AppError("not_found", `${what} does not exist in project "${project}"`);
  }
  const wholeRuntime = version === undefined;
  await updateTagIndex(store, project, name, async (index) => {
    for (const v of targets) {
      if (options.force) {
        await rm(v.bundlePath, { force: true });
        await rm(snapshotDir(store, project, name, v.version), { recursive: true, force: true });
        dropVersion(index, v.version);
      } else {
        await moveReplacing(v.bundlePath, bundlePath(store, project, name, v.version, true));
        await moveReplacing(
          snapshotDir(store, project, name, v.version),
          snapshotDir(store, project, name, v.version, true),
        );
      }
    }
    if (options.force && wholeRuntime) {
      for (const v of await scanVersions(store, project, name, true)) await purge(store, v);
      for (const key of Object.keys(index.versions)) dropVersion(index, key);
    }
    await relatest(store, project, name, index);
  });
  if (options.force && wholeRuntime) {
    await rm(runtimeDir(store, project, name), { recursive: true, force: true });
    await rm(join(runtimesDir(store, project), RECOVER_DIR, name), { recursive: true, force: true });
  }
  return { versions: targets.map((v) => v.version) };
}

/**
 * `runtime recover`: one removed version, or every removed version of the runtime. A version that exists again
 * (copied back meanwhile) is only overwritten with `force`.
 */
export async function recoverVersions(
  store: Store,
  project: string,
  name: string,
  version: string | undefined,
  options: RemoveOptions = {},
) {
  const removed = await scanVersions(store, project, name, true);
  const targets = version === undefined ? removed : removed.filter((v) => v.version === version);
  if (targets.length === 0) {
    const what =
      version === undefined
        ? `runtime ${name} has no removed versions`
        : `version ${shortVersion(version)} of ${name} is not removed`;
    throw new AppError(
      "not_found",
      `${what} in project "${project}"`,
      "removed versions are listed by `swcli runtime list --show-removed`",
    );
  }
  await updateTagIndex(store, project, name, async (index) => {
    for (const v of targets) {
      const livePath = bundlePath(store, project, name, v.version);
      if ((await exists(livePath)) && !options.force) {
        throw new AppError(
          "conflict",
          `version ${shortVersion(v.version)} of ${name} exists again`,
          "add -f to overwrite it",
        );
      }
      await moveReplacing(v.bundlePath, livePath);
      await moveReplacing(
        snapshotDir(store, project, name, v.version, true),
        snapshotDir(store, project, name, v.version),
      );
    }
    await relatest(store, project, name, index);
  });
  return { versions: targets.map((v) => v.version) };
}

async function purge(store: Store, v: StoredVersion): Promise<void> {
  await rm(v.bundlePath, { force: true });
  await rm(snapshotDir(store, v.project, v.name, v.version, true), { recursive: true, force: true });
}

/** Projects of the store: its directories, except Starwhale's dot-directories (`.tmp`, `.cache`, `.recover`). */
export async function storeProjects(store: Store): Promise<string[]> {
  const entries = await readdir(store.root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

/**
 * `swcli gc`: deletes everything in the recycle areas for good, and forgets the tags of what it deleted.
 * With `dryRun` it only reports.
 */
export async function collectGarbage(store: Store, options: { dryRun?: boolean } = {}) {
  const found: StoredVersion[] = [];
  for (const project of await storeProjects(store)) {
    for (const name of await runtimeNames(store, project, true)) {
      const removed = await scanVersions(store, project, name, true);
      found.push(...removed);
      if (options.dryRun || removed.length === 0) continue;
      await updateTagIndex(store, project, name, async (index) => {
        const live = new Set((await scanVersions(store, project, name)).map((v) => v.version));
        for (const v of removed) {
          await purge(store, v);
          if (!live.has(v.version)) dropVersion(index, v.version);
        }
      });
      await rm(join(runtimesDir(store, project), RECOVER_DIR, name), { recursive: true, force: true });
      if ((await scanVersions(store, project, name)).length === 0) {
        await rm(tagIndexPath(store, project, name), { force: true });
        await rm(runtimeDir(store, project, name), { recursive: true, force: true });
      }
    }
  }
  return { versions: found, bytes: found.reduce((sum, v) => sum + v.size, 0) };
}
