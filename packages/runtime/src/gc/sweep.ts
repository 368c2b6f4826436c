import type { Dirent } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { sweepStaleTemps } from "../fs/atomic";
import type { Store } from "../store/layout";

/*
 * `swcli gc` beyond the recycle areas: temporary files that killed swcli processes left next to what they were
 * writing (bundles, tag indexes, snapshots, environments, venv seeds), and Starwhale's project recycle bin.
 */

/** Dot-directories of the store that hold runtimes' files; other dot-directories are not ours to walk. */
const walked = new Set([".recover", ".tmp", ".cache", ".locks"]);
/** project/workdir/runtime/NAME/SHARD/VERSION/export: the deepest place temporary files appear. */
const maxDepth = 7;

async function entries(dir: string): Promise<Dirent[]> {
  return readdir(dir, { withFileTypes: true }).catch(() => []);
}

/** Removes temporary files of dead processes everywhere in the store; returns their paths. */
export async function sweepStore(store: Store): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    removed.push(...(await sweepStaleTemps(dir)).map((name) => join(dir, name)));
    // An environment's own files are never ours to sweep, and walking them would take long.
    if (depth >= maxDepth || basename(dir) === "export") return;
    for (const entry of await entries(dir)) {
      if (!entry.isDirectory() || entry.name.includes(".swtmp-")) continue;
      if (entry.name.startsWith(".") && !walked.has(entry.name)) continue;
      await walk(join(dir, entry.name), depth + 1);
    }
  };
  await walk(store.root, 0);
  return removed;
}

/** What Starwhale's project recycle bin (`<root>/.recover`) holds; emptied with `empty`. */
export async function projectRecycleBin(store: Store, options: { empty?: boolean } = {}): Promise<string[]> {
  const dir = join(store.root, ".recover");
  const found = (await entries(dir)).map((entry) => join(dir, entry.name));
  if (options.empty) for (const path of found) await rm(path, { recursive: true, force: true });
  return found;
}
