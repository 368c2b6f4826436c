import { randomBytes } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "@swhub/shared/errors";
import { isCode, isProcessAlive } from "./atomic";

export interface FileLockOptions {
  /** Give up after this long. Default 60 s. */
  timeoutMs?: number;
  /** Called once when we start waiting for another holder. */
  onWait?: (holderPid: number) => void;
}

/** A lock file without a readable pid is being written right now, unless it has been like that this long. */
const unreadableGraceMs = 5_000;

/**
 * Run `fn` while holding a cross-process lock file at `path` (created with O_EXCL, holding the holder's pid).
 * Waiters back off exponentially up to 250 ms; a lock whose pid is dead is broken. Not re-entrant.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const token = await acquireLock(path, options);
  try {
    return await fn();
  } finally {
    await releaseLock(path, token);
  }
}

async function acquireLock(path: string, options: FileLockOptions): Promise<string> {
  const token = `${process.pid} ${randomBytes(6).toString("hex")}\n`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delay = 5;
  let announced = false;
  for (;;) {
    if (await tryCreate(path, token)) return token;
    const held = await readLock(path);
    if (held === undefined) continue; // released between our attempt and the read: try again at once
    const stale = held.pid === undefined ? held.ageMs > unreadableGraceMs : !isProcessAlive(held.pid);
    if (stale) {
      await breakLock(path, held.content);
      continue;
    }
    if (!announced && held.pid !== undefined) {
      announced = true;
      options.onWait?.(held.pid);
    }
    if (Date.now() >= deadline) {
      throw new AppError(
        "conflict",
        `another swcli process (pid ${held.pid ?? "unknown"}) holds the lock ${path}`,
        "wait for it to finish, or remove the lock file if that process is not swcli",
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** O_EXCL create; false when the file exists. */
async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => {});
    throw error;
  }
  await handle.close();
  return true;
}

async function readLock(path: string): Promise<{ pid?: number; content: string; ageMs: number } | undefined> {
  try {
    const [content, stats] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    const pid = Number.parseInt(content, 10);
    return {
      pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
      content,
      ageMs: Date.now() - stats.mtimeMs,
    };
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
}

/**
 * Remove a stale lock, but only the one we judged stale: two waiters may both find the same dead pid, and the
 * slower one must not delete the lock the faster one has just taken. A short-lived guard file serialises breakers.
 */
async function breakLock(path: string, staleContent: string): Promise<void> {
  const guard = `${path}.break`;
  if (!(await tryCreate(guard, `${process.pid}\n`))) {
    // A breaker that died while holding the guard would block everyone: guards older than 10 s are void.
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > 10_000) await unlink(guard).catch(() => {});
    await sleep(5);
    return;
  }
  try {
    const current = await readFile(path, "utf8").catch(() => undefined);
    if (current === staleContent) await unlink(path).catch(() => {});
  } finally {
    await unlink(guard).catch(() => {});
  }
}

async function releaseLock(path: string, token: string): Promise<void> {
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current === token) await unlink(path).catch(() => {});
}
