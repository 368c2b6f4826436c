import { join } from "node:path";

/**
 * The standalone store's files, in Starwhale's layout (spec §3.6), so that a Starwhale user's existing
 * `~/.starwhale` works with swcli and the other way round.
 */
export interface Store {
  /** `$SW_LOCAL_STORAGE`, `storage.root` in the config, or `~/.starwhale`. */
  root: string;
}

export const RECOVER_DIR = ".recover";
const shard = (version: string) => version.slice(0, 2);

export const runtimesDir = (store: Store, project: string) => join(store.root, project, "runtime");
export const runtimeDir = (store: Store, project: string, name: string) =>
  join(runtimesDir(store, project), name);
export const tagIndexPath = (store: Store, project: string, name: string) =>
  join(runtimeDir(store, project, name), "_manifest.yaml");

export function bundlePath(
  store: Store,
  project: string,
  name: string,
  version: string,
  removed = false,
): string {
  const base = removed
    ? join(runtimesDir(store, project), RECOVER_DIR, name)
    : runtimeDir(store, project, name);
  return join(base, shard(version), `${version}.swrt`);
}

/** The extracted form of a bundle, where restore puts the environment (`export/<mode>`). */
export function snapshotDir(
  store: Store,
  project: string,
  name: string,
  version: string,
  removed = false,
): string {
  const base = join(store.root, project, "workdir", "runtime", ...(removed ? [RECOVER_DIR] : []), name);
  return join(base, shard(version), version);
}

/** Serialises changes to one runtime's tag index across swcli processes. Dot-directories are never runtimes. */
export const runtimeLockPath = (store: Store, project: string, name: string) =>
  join(runtimesDir(store, project), ".locks", `${name}.lock`);

/** Scratch space on the store's file system, so that finished files can be renamed into place. */
export const tmpDir = (store: Store) => join(store.root, ".tmp");
