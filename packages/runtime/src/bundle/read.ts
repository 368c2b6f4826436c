import { AppError } from "@swhub/shared/errors";
import type { ReadEntry } from "tar";
import { parseTarFile } from "./tar-read";

export interface BundleMember {
  /** Relative path as stored, without "./" prefix or trailing slash. */
  path: string;
  /** node-tar's type name: "File", "Directory", "SymbolicLink", "Link", ... */
  type: string;
  size: number;
  mode: number;
  mtime?: Date;
  linkpath?: string;
}

/** Members of a bundle (or any tar, gzipped or not) in archive order, without the root entry; reads headers only. */
export async function listBundle(bundlePath: string): Promise<BundleMember[]> {
  const members: BundleMember[] = [];
  await parseTarFile(bundlePath, (entry) => {
    entry.resume();
    const path = memberPath(entry.path);
    if (path === "") return;
    members.push({
      path,
      type: entry.type,
      size: entry.size,
      mode: entry.mode ?? 0,
      mtime: entry.mtime,
      linkpath: entry.linkpath,
    });
  });
  return members;
}

/**
 * The content of one file member (e.g. `_manifest.yaml`) without extracting anything. Stops reading at the
 * member, so the manifest, which sorts near the front, costs a few blocks even in a large bundle.
 */
export async function readBundleMember(
  bundlePath: string,
  path: string,
  options: { maxBytes?: number } = {},
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? 64 << 20;
  let found: Buffer | undefined;
  let problem: AppError | undefined;
  await parseTarFile(bundlePath, (entry: ReadEntry) => {
    if (memberPath(entry.path) !== path) {
      entry.resume();
      return;
    }
    if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
      problem = new AppError("invalid_input", `"${path}" in ${bundlePath} is not a regular file`);
    } else if (entry.size > maxBytes) {
      problem = new AppError("invalid_input", `"${path}" in ${bundlePath} is larger than ${maxBytes} bytes`);
    }
    if (problem) {
      entry.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    entry.on("data", (chunk: Buffer) => chunks.push(chunk));
    entry.on("end", () => {
      found = Buffer.concat(chunks);
    });
    return true;
  });
  if (problem) throw problem;
  if (!found) throw new AppError("not_found", `${bundlePath} has no member "${path}"`);
  return found;
}

/** "./a/b/" → "a/b"; "/" and "./" → "" (the root). */
export function memberPath(raw: string): string {
  let path = raw;
  while (path.startsWith("./")) path = path.slice(2);
  path = path.replace(/\/+$/, "");
  return path === "." ? "" : path;
}
