import { lstat, mkdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import { isCode, releaseTemp, renameAtomic, tempSiblingPath } from "../fs/atomic";
import { unpackTar } from "./unpack-tar";

export interface ExtractBundleOptions {
  /** Replace an existing target, whatever it holds (including a restored environment under export/). */
  force?: boolean;
  progress?: ProgressSink;
}

export interface ExtractBundleResult {
  /** "existed": the target already held an extracted runtime and nothing was done. */
  status: "extracted" | "existed";
  path: string;
}

const manifestName = "_manifest.yaml";

/**
 * Extract a .swrt into `targetDir` with `swcli runtime extract` semantics (spec §4.3): a target that already
 * holds `_manifest.yaml` is kept unless `force`; any other existing target is a conflict unless `force`.
 * The bundle is unpacked into a temporary sibling and renamed into place, so the target is never half written.
 * Hostile members are refused with one AppError before anything is written for them, and never outside the target.
 */
export async function extractBundle(
  bundlePath: string,
  targetDir: string,
  options: ExtractBundleOptions = {},
): Promise<ExtractBundleResult> {
  if (!options.force) {
    const state = await targetState(targetDir);
    if (state === "runtime") return { status: "existed", path: targetDir };
    if (state === "other") throw notARuntime(targetDir);
  }
  const bundleSize = await stat(bundlePath).then(
    (s) => s.size,
    () => {
      throw new AppError("not_found", `bundle ${bundlePath} does not exist`);
    },
  );
  const progress = options.progress ?? silentProgress;
  progress.phase("extract", bundleSize);

  await mkdir(dirname(targetDir), { recursive: true });
  const temp = tempSiblingPath(targetDir);
  await mkdir(temp);
  try {
    await unpackTar(bundlePath, temp, {
      guard: {
        prefix: `${bundlePath} is unsafe to extract:`,
        hint: "the bundle may have been tampered with; get it again from a trusted source",
        // An uncompressed tar cannot hold more data than its own size.
        limits: { capacity: bundleSize },
      },
      onRead: (bytes) => progress.update(bytes, bundleSize),
    });
    const manifest = await lstat(join(temp, manifestName)).catch(() => undefined);
    if (!manifest?.isFile()) {
      throw new AppError("invalid_input", `${bundlePath} is not a runtime bundle: it has no ${manifestName}`);
    }
    try {
      await renameAtomic(temp, targetDir, { replace: options.force });
    } catch (error) {
      // Another process created the target meanwhile; if it extracted a runtime there, that is as good as ours.
      const state = options.force ? "absent" : await targetState(targetDir);
      if (state === "runtime") return { status: "existed", path: targetDir };
      throw state === "other" ? notARuntime(targetDir) : error;
    }
    return { status: "extracted", path: targetDir };
  } finally {
    await rm(temp, { recursive: true, force: true });
    releaseTemp(temp);
  }
}

async function targetState(targetDir: string): Promise<"absent" | "runtime" | "other"> {
  try {
    await lstat(targetDir);
  } catch (error) {
    if (isCode(error, "ENOENT")) return "absent";
    throw error;
  }
  const manifest = await lstat(join(targetDir, manifestName)).catch(() => undefined);
  return manifest?.isFile() ? "runtime" : "other";
}

function notARuntime(targetDir: string): AppError {
  return new AppError(
    "conflict",
    `${targetDir} already exists and is not an extracted runtime (no ${manifestName})`,
    "pass --force to replace it",
  );
}
