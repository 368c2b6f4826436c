import { AppError } from "@swhub/shared/errors";
import { type EntryBody, parseTarFile, type TarEntry } from "./tar-read";

/** A member as stored, its path without "./" prefix or trailing slash. */
export type BundleMember = TarEntry;

/** Members of a bundle (or any tar, gzipped or not) in archive order, without the root entry; reads headers only. */
export async function listBundle(bundlePath: string): Promise<BundleMember[]> {
  const members: BundleMember[] = [];
  await parseTarFile(bundlePath, (entry) => {
    const path = memberPath(entry.path);
    if (path !== "") members.push({ ...entry, path });
    return undefined;
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
  await parseTarFile(bundlePath, (entry) => {
    if (memberPath(entry.path) !== path) return undefined;
    if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
      problem = new AppError("invalid_input", `"${path}" in ${bundlePath} is not a regular file`);
    } else if (entry.size > maxBytes) {
      problem = new AppError("invalid_input", `"${path}" in ${bundlePath} is larger than ${maxBytes} bytes`);
    }
    if (problem) return "stop";
    return collect((data) => {
      found = data;
    });
  });
  if (problem) throw problem;
  if (!found) throw new AppError("not_found", `${bundlePath} has no member "${path}"`);
  return found;
}

/** A body that gathers a member's bytes and stops reading after it. */
export function collect(done: (data: Buffer) => void): EntryBody {
  const chunks: Buffer[] = [];
  return {
    data: (chunk) => {
      chunks.push(Buffer.from(chunk));
    },
    end: () => {
      done(Buffer.concat(chunks));
      return "stop";
    },
  };
}

/** "./a/b/" → "a/b"; "/" and "./" → "" (the root). */
export function memberPath(raw: string): string {
  let path = raw;
  while (path.startsWith("./")) path = path.slice(2);
  path = path.replace(/\/+$/, "");
  return path === "." ? "" : path;
}
