// The snapshot directory of a new version, laid out as Starwhale lays it out (spec §3.3 step 10, §3.4).
import { cp, mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LOCK_DIR } from "@swhub/shared/schemas";
import { mapWriteError } from "../fs/atomic";
import type { ArtifactCopy } from "./artifacts";
import type { RunHooks } from "./settings";
import { dumpStarwhaleYaml } from "./starwhale-format";

export interface SnapshotContent {
  /** runtime.yaml, byte for byte. */
  yamlText: string;
  copies: ArtifactCopy[];
  lock?: { fileName: string; content: string };
  /** Written to `configs/condarc` when not empty. */
  condarc: Record<string, unknown>;
}

/** Where the lock file sits inside the bundle. */
export const bundleLockPath = (fileName: string) => `dependencies/${LOCK_DIR}/${fileName}`;

/** Fills `dir` (which must exist and be empty) with everything but `_manifest.yaml` and the packed env. */
export async function writeSnapshot(
  dir: string,
  content: SnapshotContent,
  hooks: RunHooks = {},
): Promise<void> {
  const sizes = await Promise.all(
    content.copies.map((copy) => stat(copy.from).then((s) => (copy.directory ? 0 : s.size))),
  );
  const total = sizes.reduce((sum, size) => sum + size, 0);
  hooks.progress?.phase("copy", total);
  try {
    for (const sub of ["dependencies", "files", "wheels"]) await mkdir(join(dir, sub));
    await writeFile(join(dir, "runtime.yaml"), content.yamlText);
    let done = 0;
    for (const [i, copy] of content.copies.entries()) {
      hooks.signal?.throwIfAborted();
      const to = join(dir, copy.to);
      await mkdir(dirname(to), { recursive: true });
      await cp(copy.from, to, { recursive: copy.directory, errorOnExist: true, force: false });
      done += sizes[i]!;
      hooks.progress?.update(done, total);
    }
    if (content.lock) {
      const to = join(dir, bundleLockPath(content.lock.fileName));
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, content.lock.content);
    }
    if (Object.keys(content.condarc).length > 0) {
      await mkdir(join(dir, "configs"));
      await writeFile(join(dir, "configs", "condarc"), dumpStarwhaleYaml(content.condarc));
    }
  } catch (error) {
    throw mapWriteError(error, dir);
  }
}
