import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { AppError } from "@swhub/shared/errors";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import { writeFileAtomicWith } from "../fs/atomic";
import type { Sha256Digest } from "../fs/sha256";
import { createEntryGuard } from "./entry-guard";
import { collectTree, normalMode, sortMembers, type TarMember, tarChunks } from "./tar-write";

/**
 * Fixed mtime of every bundle member: 1980-01-01T00:00:00Z. Not the Unix epoch, because zip (and so wheels made
 * from extracted files) cannot store dates before 1980.
 */
export const defaultBundleMtime = 315_532_800;

/** An extra member given explicitly instead of (or on top of) a snapshot directory. */
export type BundleEntry =
  | { path: string; type: "file"; source: string; executable?: boolean }
  | { path: string; type: "file"; content: string | Uint8Array; executable?: boolean }
  | { path: string; type: "dir" }
  | { path: string; type: "symlink"; target: string };

export interface PackBundleOptions {
  /** Snapshot directory packed recursively. */
  dir?: string;
  /** Members added to the snapshot's; a path may not appear twice. Missing parent directories are implied. */
  entries?: BundleEntry[];
  /** Seconds; default defaultBundleMtime. Apps pass resolveBundleMtime(env.SOURCE_DATE_EPOCH). */
  mtime?: number;
  progress?: ProgressSink;
}

export interface PackedBundle {
  path: string;
  size: number;
  digest: Sha256Digest;
}

/** The bundle mtime for a `SOURCE_DATE_EPOCH` value (the reproducible-builds convention), or the default. */
export function resolveBundleMtime(sourceDateEpoch: string | undefined): number {
  if (sourceDateEpoch === undefined || sourceDateEpoch === "") return defaultBundleMtime;
  if (!/^\d+$/.test(sourceDateEpoch)) {
    throw new AppError(
      "invalid_input",
      `SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${sourceDateEpoch}"`,
    );
  }
  return Number(sourceDateEpoch);
}

/**
 * Pack a runtime bundle (.swrt) reproducibly: the layout Starwhale writes (uncompressed PAX tar, root member "/",
 * sorted relative members, 10240-byte records) with fixed mtime, root ownership and normalised modes, so equal
 * inputs give equal bytes. The file appears at `outFile` complete or not at all.
 */
export async function packBundle(outFile: string, options: PackBundleOptions): Promise<PackedBundle> {
  const mtime = options.mtime ?? defaultBundleMtime;
  const progress = options.progress ?? silentProgress;
  const members = await gatherMembers(options, mtime);
  // Refuse here whatever our own extractor would refuse (escaping symlinks, odd names), not at restore time.
  const guard = createEntryGuard({ prefix: `cannot pack ${outFile}:` });
  for (const member of members) guard.admit(member);
  guard.finish();

  const total = members.reduce((sum, m) => sum + m.size, 0);
  progress.phase("pack", total);
  const hash = createHash("sha256");
  let size = 0;
  await writeFileAtomicWith(outFile, async (handle) => {
    for await (const chunk of tarChunks(members)) {
      hash.update(chunk);
      await handle.write(chunk);
      size += chunk.length;
      progress.update(Math.min(size, total), total);
    }
  });
  return { path: outFile, size, digest: `sha256:${hash.digest("hex")}` };
}

async function gatherMembers(options: PackBundleOptions, mtime: number): Promise<TarMember[]> {
  const byPath = new Map<string, TarMember>();
  byPath.set("", { path: "", type: "dir", mode: 0o755, mtime, size: 0 });
  if (options.dir) {
    for (const member of await collectTree(options.dir, { mtime })) byPath.set(member.path, member);
  }
  for (const entry of options.entries ?? []) {
    const path = checkEntryPath(entry.path);
    const existing = byPath.get(path);
    if (existing && !(existing.type === "dir" && entry.type === "dir")) {
      throw new AppError("invalid_input", `bundle entry "${path}" is given twice`);
    }
    byPath.set(path, await memberFor(entry, path, mtime));
  }
  // Parents of explicit entries are implied, as they would be in a directory.
  for (const path of [...byPath.keys()]) {
    for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1)) {
      const parent = path.slice(0, at);
      const existing = byPath.get(parent);
      if (existing && existing.type !== "dir") {
        throw new AppError(
          "invalid_input",
          `bundle entry "${path}" is inside "${parent}", which is not a directory`,
        );
      }
      if (!existing) byPath.set(parent, { path: parent, type: "dir", mode: 0o755, mtime, size: 0 });
    }
  }
  return sortMembers([...byPath.values()]);
}

async function memberFor(entry: BundleEntry, path: string, mtime: number): Promise<TarMember> {
  switch (entry.type) {
    case "dir":
      return { path, type: "dir", mode: 0o755, mtime, size: 0 };
    case "symlink":
      return { path, type: "symlink", mode: 0o777, mtime, size: 0, linkpath: entry.target };
    case "file": {
      if ("content" in entry) {
        const content = typeof entry.content === "string" ? Buffer.from(entry.content) : entry.content;
        const mode = entry.executable ? 0o755 : 0o644;
        return { path, type: "file", mode, mtime, size: content.length, content };
      }
      const stats = await stat(entry.source).catch(() => {
        throw new AppError("not_found", `cannot pack ${entry.source}: no such file`);
      });
      if (!stats.isFile())
        throw new AppError("invalid_input", `cannot pack ${entry.source}: not a regular file`);
      const mode =
        entry.executable === undefined ? normalMode("file", stats.mode) : entry.executable ? 0o755 : 0o644;
      return { path, type: "file", mode, mtime, size: stats.size, source: entry.source };
    }
  }
}

function checkEntryPath(path: string): string {
  const parts = path.split("/");
  if (
    path === "" ||
    parts.some((part) => part === "" || part === "." || part === "..") ||
    path.includes("\0")
  ) {
    throw new AppError(
      "invalid_input",
      `bundle entry path "${path}" must be relative, without empty, "." or ".." segments`,
    );
  }
  return path;
}
