import { randomBytes } from "node:crypto";
import { constants, type Dirent, rmSync } from "node:fs";
import { type FileHandle, lstat, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AppError } from "@swhub/shared/errors";

/*
 * Atomic writes: everything is written under a temporary name in the destination's own directory (so the final
 * rename stays on one filesystem), synced, then renamed into place. Readers see the old content or the new one,
 * never a half-written file. Temporary names embed our pid, so leftovers from a killed process can be swept.
 */

const tempMarker = ".swtmp-";

/** Temporary names created by this process, removed on `process.exit` if still present. */
const liveTemps = new Set<string>();
let exitHookInstalled = false;

/** A fresh temporary path next to `path`: `.<name>.swtmp-<pid>-<random>`. */
export function tempSiblingPath(path: string): string {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous cleanup is all that can run at exit; a SIGKILL still leaves files for sweepStaleTemps.
    process.on("exit", () => {
      for (const temp of liveTemps) {
        try {
          rmSync(temp, { recursive: true, force: true });
        } catch {}
      }
    });
  }
  const temp = join(
    dirname(path),
    `.${basename(path)}${tempMarker}${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  liveTemps.add(temp);
  return temp;
}

/** Forget a temporary path once it has been renamed away or removed. */
export function releaseTemp(temp: string): void {
  liveTemps.delete(temp);
}

export interface AtomicWriteOptions {
  /** File mode of the result (before umask). Default 0o644. */
  mode?: number;
  /**
   * fsync the file and its directory, so the new content survives a power loss (default). Intermediate files
   * that are rebuilt anyway can skip it: they are still atomic against a killed process.
   */
  durable?: boolean;
}

/**
 * Create `path` atomically by letting `write` fill an open handle to a temporary sibling. On any failure the
 * temporary file is removed and `path` is left as it was.
 */
export async function writeFileAtomicWith<T>(
  path: string,
  write: (handle: FileHandle) => Promise<T>,
  options: AtomicWriteOptions = {},
): Promise<T> {
  const temp = tempSiblingPath(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      options.mode ?? 0o644,
    );
    const durable = options.durable ?? true;
    const result = await write(handle);
    if (durable) await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
    releaseTemp(temp);
    if (durable) await syncDir(dirname(path));
    return result;
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temp, { force: true });
    releaseTemp(temp);
    throw mapWriteError(error, path);
  }
}

/** Write `data` to `path` atomically (temp file in the same directory, fsync, rename). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomicWith(
    path,
    async (handle) => {
      if (typeof data === "string" || data instanceof Uint8Array) return handle.writeFile(data);
      for await (const chunk of data) await handle.write(chunk);
    },
    options,
  );
}

/**
 * Move the directory `from` to `to` with rename(2). Without `replace`, an existing `to` is a conflict.
 * With `replace`, an existing `to` is first renamed aside and deleted after the swap, so `to` holds the old
 * tree or the new one, never a mix. Atomic against a killed process, not against power loss: nothing is
 * fsynced, because syncing (even only the parent directory, on ext4) forces the whole new tree to disk, which
 * costs more than writing it. Trees moved into place here are extracted or restored again if found broken.
 */
export async function renameAtomic(
  from: string,
  to: string,
  options: { replace?: boolean } = {},
): Promise<void> {
  const exists = await lstat(to).then(
    () => true,
    () => false,
  );
  if (!exists) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      // Someone created `to` between our check and the rename: fall through to the replace logic.
      if (!isCode(error, "ENOTEMPTY", "EEXIST", "EISDIR", "ENOTDIR")) throw error;
    }
  }
  if (!options.replace) throw new AppError("conflict", `${to} already exists`);
  const aside = tempSiblingPath(to);
  await rename(to, aside);
  try {
    await rename(from, to);
  } catch (error) {
    await rename(aside, to).catch(() => {});
    releaseTemp(aside);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
  releaseTemp(aside);
}

/** fsync a directory so that a rename inside it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Remove temporary files and directories left in `dir` by processes that are gone (killed mid-write).
 * Returns the removed names.
 */
export async function sweepStaleTemps(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isCode(error, "ENOENT")) return [];
    throw error;
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const at = entry.name.indexOf(tempMarker);
    if (!entry.name.startsWith(".") || at < 0) continue;
    const pid = Number.parseInt(entry.name.slice(at + tempMarker.length), 10);
    if (!Number.isInteger(pid) || isProcessAlive(pid)) continue;
    await rm(join(dir, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isCode(error, "EPERM");
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}

/** Disk-full style failures become one clear AppError; anything else passes through unchanged. */
export function mapWriteError(error: unknown, path: string): unknown {
  if (isCode(error, "ENOSPC", "EDQUOT")) {
    return new AppError(
      "internal",
      `not enough disk space to write ${path}`,
      "free some space and try again",
    );
  }
  if (isCode(error, "EFBIG")) {
    return new AppError(
      "internal",
      `${path} would exceed the file size limit`,
      "raise the limit (ulimit -f)",
    );
  }
  return error;
}
