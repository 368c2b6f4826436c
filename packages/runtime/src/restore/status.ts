import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic";
import type { Mode } from "./plan";

/*
 * `<env>/.runtime_restore_status` (Starwhale's file, PR #2216): `restoring` while a restore runs, then `success`
 * or `failed`. A restore that was interrupted or failed is redone on the next activation.
 */

export const restoreStatusFile = ".runtime_restore_status";
export type RestoreStatus = "restoring" | "success" | "failed";

export async function readRestoreStatus(prefix: string): Promise<string | undefined> {
  const text = await readFile(join(prefix, restoreStatusFile), "utf8").catch(() => undefined);
  return text?.trim();
}

export async function writeRestoreStatus(prefix: string, status: RestoreStatus): Promise<void> {
  await writeFileAtomic(join(prefix, restoreStatusFile), status, { durable: false });
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** Whether the environment at `prefix` looks made: a venv has pyvenv.cfg, a conda env conda-meta/. */
export async function isEnvironment(prefix: string, mode: Mode): Promise<boolean> {
  return exists(join(prefix, mode === "conda" ? "conda-meta" : "pyvenv.cfg"));
}

/**
 * Why the environment must be (re)made, or undefined when it is usable: missing, not an environment, or a status
 * of `restoring` or `failed`. `success`, no status (older tools) or other text count as made, as in Starwhale.
 */
export async function restoreReason(prefix: string, mode: Mode): Promise<string | undefined> {
  if (!(await exists(prefix))) return "first use";
  const status = await readRestoreStatus(prefix);
  if (status === "restoring") return "the last restore was interrupted";
  if (status === "failed") return "the last restore failed";
  if (!(await isEnvironment(prefix, mode))) return `${prefix} is not a ${mode} environment`;
  return undefined;
}
