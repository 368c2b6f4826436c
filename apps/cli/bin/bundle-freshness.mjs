// Decides whether dist/ may run: it may only when every file it was built from is unchanged.
// Plain JavaScript: it runs before anything can compile TypeScript.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const metaFileName = "swcli.meta.json";
export const entryFileName = "swcli.mjs";

export function hashFile(path) {
  return createHash("sha1").update(readFileSync(path)).digest("hex");
}

/**
 * The meta file lists each input (relative to dist/) with its sha1: the workspace sources esbuild read, the
 * package.json and tsconfig files that steer resolution, build.mjs, and pnpm-lock.yaml, which pins every
 * third-party file. True only if all of them still hash the same and the entry exists.
 */
export function isBundleFresh(distDir) {
  let meta;
  try {
    meta = JSON.parse(readFileSync(join(distDir, metaFileName), "utf8"));
  } catch {
    return false;
  }
  if (!meta || typeof meta.inputs !== "object" || !existsSync(join(distDir, entryFileName))) return false;
  for (const [path, digest] of Object.entries(meta.inputs)) {
    try {
      if (hashFile(resolve(distDir, path)) !== digest) return false;
    } catch {
      return false;
    }
  }
  return true;
}
