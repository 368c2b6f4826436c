import {
  closeSync,
  constants,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  statfsSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { isCode } from "../fs/atomic";
import { type AdmittedMember, createEntryGuard, type EntryGuardOptions } from "./entry-guard";
import { type EntryBody, parseTarFile, type TarEntry } from "./tar-read";

export interface UnpackTarOptions {
  gzip?: boolean;
  /** How hostile members are reported, and the archive's size limits. */
  guard: EntryGuardOptions;
  /**
   * The archive holds the tree under this directory (e.g. an image layer's `opt/…/venv`): members are unpacked
   * relative to it, it and its parents are skipped, and any other member is refused.
   */
  root?: string;
  /** Members to leave out (they are still checked). */
  skip?: (path: string) => boolean;
  /** Files whose content is returned in `captured` instead of being written. */
  capture?: (path: string) => boolean;
  /** Files for which this returns a function are buffered and rewritten by it before being written. */
  rewrite?: (path: string) => ((data: Buffer) => Buffer) | undefined;
  /** Archive bytes read so far. */
  onRead?: (bytes: number) => void;
  /** Stop (with the signal's reason) when aborted. */
  signal?: AbortSignal;
}

export interface UnpackResult {
  files: number;
  bytes: number;
  captured: Map<string, Buffer>;
}

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
}

const writeFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Unpack a tar into the existing directory `dir` (meant to be a fresh temporary one), checking every member with
 * the entry guard before anything is written for it. Files are written with plain synchronous calls on this
 * thread while gunzip runs on a worker thread: per entry that is far cheaper than a round trip through the
 * thread pool for each open, write, utimes and close. Symlinks are created last, once all of them are checked,
 * and nothing is ever written through a symlink. On error, `dir` may hold a partial tree; the caller removes it.
 */
export async function unpackTar(
  archive: string,
  dir: string,
  options: UnpackTarOptions,
): Promise<UnpackResult> {
  const guard = createEntryGuard(options.guard);
  const { bavail, bsize } = statfsSync(dir);
  const free = bavail * bsize;
  const known = new Set<string>([""]); // relative directories known to be real directories
  const symlinks: AdmittedMember[] = [];
  const dirTimes: [string, number][] = [];
  const captured = new Map<string, Buffer>();
  let files = 0;
  let bytes = 0;
  let declared = 0;
  let openFd: number | undefined;

  const ensureDir = (rel: string, mode = 0o755): void => {
    if (known.has(rel)) return;
    const at = rel.lastIndexOf("/");
    ensureDir(at < 0 ? "" : rel.slice(0, at));
    const abs = join(dir, rel);
    try {
      mkdirSync(abs, (mode & 0o777) | 0o700);
    } catch (error) {
      if (!isCode(error, "EEXIST")) throw error;
      const stats = lstatSync(abs);
      if (!stats.isDirectory()) {
        throw new AppError(
          "invalid_input",
          `${options.guard.prefix} "${rel}" would have to be a directory, but it is a ${stats.isSymbolicLink() ? "symlink" : "file"}`,
          options.guard.hint,
        );
      }
    }
    known.add(rel);
  };
  const parentOf = (rel: string) => {
    const at = rel.lastIndexOf("/");
    return at < 0 ? "" : rel.slice(0, at);
  };
  /** Remove whatever non-directory sits at `abs`, so we create a new inode instead of writing through it. */
  const clear = (abs: string, rel: string): void => {
    try {
      if (lstatSync(abs).isDirectory()) {
        throw new AppError(
          "invalid_input",
          `${options.guard.prefix} "${rel}" is a directory on disk`,
          options.guard.hint,
        );
      }
      unlinkSync(abs);
    } catch (error) {
      if (!isCode(error, "ENOENT")) throw error;
    }
  };
  const openForWrite = (abs: string, rel: string, mode: number): number => {
    try {
      return openSync(abs, writeFlags, mode);
    } catch (error) {
      if (!isCode(error, "EEXIST", "ELOOP")) throw error;
      clear(abs, rel);
      return openSync(abs, writeFlags, mode);
    }
  };
  const finishFile = (fd: number, mtime: number | undefined): void => {
    if (mtime !== undefined) futimesSync(fd, mtime, mtime);
    openFd = undefined;
    closeSync(fd);
    files++;
  };

  const onEntry = (archived: TarEntry): EntryBody | undefined => {
    const entry = options.root ? underRoot(archived, options.root, options.guard) : archived;
    if (!entry) return undefined;
    const member = guard.admit(entry);
    if (!member) {
      // The root entry (Starwhale's "/"): its time is the target's, as GNU tar and Python's tarfile do it.
      if (entry.mtime !== undefined) dirTimes.unshift([dir, entry.mtime]);
      return undefined;
    }
    if (options.skip?.(member.path)) return undefined;
    declared += member.size;
    if (declared > free) {
      throw new AppError(
        "internal",
        `not enough disk space to unpack ${archive} into ${dir} (more than ${free} bytes needed)`,
        "free some space and try again",
      );
    }
    const abs = join(dir, member.path);
    const mode = entry.mode & 0o777;
    switch (member.kind) {
      case "dir":
        ensureDir(member.path, mode);
        if (entry.mtime !== undefined) dirTimes.push([abs, entry.mtime]);
        return undefined;
      case "symlink":
        symlinks.push(member);
        return undefined;
      case "hardlink":
        ensureDir(parentOf(member.path));
        clear(abs, member.path);
        linkSync(join(dir, member.linkpath!), abs);
        return undefined;
      case "file":
        break;
    }
    ensureDir(parentOf(member.path));
    const transform = options.rewrite?.(member.path);
    if (options.capture?.(member.path) || transform) {
      const chunks: Buffer[] = [];
      return {
        data: (chunk) => {
          chunks.push(chunk);
        },
        end: () => {
          const data = Buffer.concat(chunks);
          bytes += data.length;
          if (!transform) {
            captured.set(member.path, data);
            return undefined;
          }
          const fd = openForWrite(abs, member.path, mode);
          openFd = fd;
          writeAll(fd, transform(data));
          finishFile(fd, entry.mtime);
          return undefined;
        },
      };
    }
    const fd = openForWrite(abs, member.path, mode);
    openFd = fd;
    return {
      data: (chunk) => {
        writeAll(fd, chunk);
        bytes += chunk.length;
      },
      end: () => {
        finishFile(fd, entry.mtime);
        return undefined;
      },
    };
  };

  try {
    await parseTarFile(archive, onEntry, {
      gzip: options.gzip,
      onRead: options.onRead,
      signal: options.signal,
    });
    guard.finish();
    for (const link of symlinks) {
      ensureDir(parentOf(link.path));
      const abs = join(dir, link.path);
      clear(abs, link.path);
      symlinkSync(link.linkpath!, abs);
    }
    // Deepest first, after every write into them.
    for (const [abs, mtime] of dirTimes.reverse()) utimesSync(abs, mtime, mtime);
  } catch (error) {
    throw isCode(error, "ENOSPC", "EDQUOT", "EFBIG")
      ? new AppError(
          "internal",
          `not enough disk space to unpack ${archive} into ${dir}`,
          "free some space and try again",
        )
      : error;
  } finally {
    if (openFd !== undefined) closeSync(openFd);
  }
  return { files, bytes, captured };
}

/** A member of an archive whose tree sits under `root`, relative to it; undefined for `root` and its parents. */
function underRoot(entry: TarEntry, root: string, guard: EntryGuardOptions): TarEntry | undefined {
  const path = entry.path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (entry.type === "Directory" && (path === root || root.startsWith(`${path}/`))) return undefined;
  const strip = (p: string) => (p.startsWith(`${root}/`) ? p.slice(root.length + 1) : undefined);
  const inside = strip(path);
  const link = entry.type === "Link" && entry.linkpath ? strip(entry.linkpath) : entry.linkpath;
  if (inside === undefined || (entry.type === "Link" && link === undefined)) {
    throw new AppError("invalid_input", `${guard.prefix} "${entry.path}" is outside ${root}/`, guard.hint);
  }
  return { ...entry, path: inside, ...(link !== undefined ? { linkpath: link } : {}) };
}
