import { createReadStream, type Stats } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { encodeTarHeader, paddingFor, type TarMemberType, trailerFor } from "./tar-header";

/** One member to write. Files carry their bytes (`content`) or a path to read them from (`source`). */
export interface TarMember {
  /** Relative path with "/" separators and no trailing slash; "" is the root directory. */
  path: string;
  type: TarMemberType;
  mode: number;
  /** Integer seconds. */
  mtime: number;
  size: number;
  linkpath?: string;
  source?: string;
  content?: Uint8Array;
  /**
   * Sees the first bytes of a file (all of a small one, the first chunk of a big one) before they are written,
   * and may change them in place (the size must stay): to look for ELF headers, or to patch .pyc headers.
   */
  head?: (data: Buffer) => void;
}

/** Every member is owned by root/root (uid/gid 0), as in bundles Starwhale builds as root. */
const owner = { uid: 0, gid: 0, uname: "root", gname: "root" } as const;

/** Files up to this size are read whole (and ahead of time); bigger ones are streamed. */
const smallFile = 1 << 20;
/** How many small files are read ahead of the writer. */
const readAhead = 32;
/** Output is handed on in chunks of about this size. */
const chunkTarget = 1 << 20;

/** 0644 for files, 0755 for directories and anything executable, 0777 for symlinks. */
export function normalMode(type: TarMemberType, mode: number): number {
  if (type === "dir") return 0o755;
  if (type === "symlink") return 0o777;
  return mode & 0o111 ? 0o755 : 0o644;
}

/**
 * Order members as Python's `tarfile.add` walks a tree: depth first, each directory's entries sorted (by code
 * point, which is UTF-8 byte order), a directory right before its contents.
 */
export function sortMembers<T extends { path: string }>(members: T[]): T[] {
  const keyed = members.map((member) => ({
    member,
    parts: member.path === "" ? [] : member.path.split("/"),
  }));
  keyed.sort((a, b) => {
    const n = Math.min(a.parts.length, b.parts.length);
    for (let i = 0; i < n; i++) {
      const order = Buffer.compare(Buffer.from(a.parts[i]!), Buffer.from(b.parts[i]!));
      if (order !== 0) return order;
    }
    return a.parts.length - b.parts.length;
  });
  return keyed.map((k) => k.member);
}

export interface CollectTreeOptions {
  /** Use this mtime for every member; without it the files' own (whole-second) mtimes are kept. */
  mtime?: number;
  /** Return false to leave a path (and, for a directory, everything under it) out. */
  include?: (path: string, stats: Stats) => boolean;
}

/** List `root` recursively as tar members with normalised modes (not sorted; see sortMembers). */
export async function collectTree(root: string, options: CollectTreeOptions = {}): Promise<TarMember[]> {
  const members: TarMember[] = [];
  const visit = async (rel: string): Promise<void> => {
    const names = await readdir(rel === "" ? root : join(root, rel));
    await Promise.all(
      names.map(async (name) => {
        const path = rel === "" ? name : `${rel}/${name}`;
        const abs = join(root, path);
        const stats = await lstat(abs);
        if (options.include && !options.include(path, stats)) return;
        const mtime = options.mtime ?? Math.floor(stats.mtimeMs / 1000);
        if (stats.isDirectory()) {
          members.push({ path, type: "dir", mode: 0o755, mtime, size: 0 });
          await visit(path);
        } else if (stats.isFile()) {
          members.push({
            path,
            type: "file",
            mode: normalMode("file", stats.mode),
            mtime,
            size: stats.size,
            source: abs,
          });
        } else if (stats.isSymbolicLink()) {
          members.push({ path, type: "symlink", mode: 0o777, mtime, size: 0, linkpath: await readlink(abs) });
        } else {
          throw new AppError(
            "invalid_input",
            `cannot pack ${abs}: only files, directories and symlinks can be packed`,
          );
        }
      }),
    );
  };
  await visit("");
  return members;
}

/**
 * The bytes of a tar archive holding `members` in the given order, in chunks of about 1 MiB, ending with the
 * end-of-archive marker and padding to a whole record. Small files are read ahead in parallel.
 */
export async function* tarChunks(members: TarMember[]): AsyncGenerator<Buffer> {
  const reads = new Map<number, Promise<Buffer>>();
  let scheduled = 0;
  const schedule = (upTo: number) => {
    for (; scheduled < members.length && scheduled < upTo; scheduled++) {
      const member = members[scheduled]!;
      if (member.type !== "file" || member.content || !member.source || member.size > smallFile) continue;
      const read = readFile(member.source);
      read.catch(() => {}); // awaited (and rethrown) in order below; avoid an unhandled rejection meanwhile
      reads.set(scheduled, read);
    }
  };

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0;
  const push = (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    offset += chunk.length;
  };
  const take = () => {
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return chunk;
  };

  for (const [index, member] of members.entries()) {
    schedule(index + readAhead);
    push(encodeTarHeader({ ...member, ...owner, size: member.type === "file" ? member.size : 0 }));
    if (member.type === "file") {
      const prefetched = reads.get(index);
      reads.delete(index);
      if (member.content || prefetched) {
        const content = member.content;
        const data = content
          ? Buffer.from(content.buffer, content.byteOffset, content.byteLength)
          : await prefetched!;
        checkSize(member, data.length);
        if (member.head) {
          // Never change the caller's content in place.
          const copy = content ? Buffer.from(data) : data;
          member.head(copy);
          push(copy);
        } else push(data);
      } else {
        let read = 0;
        for await (const chunk of createReadStream(member.source!, { highWaterMark: smallFile })) {
          if (read === 0) member.head?.(chunk as Buffer);
          read += (chunk as Buffer).length;
          if (read > member.size) checkSize(member, read);
          push(chunk as Buffer);
          if (pendingBytes >= chunkTarget) yield take();
        }
        checkSize(member, read);
      }
      push(Buffer.alloc(paddingFor(member.size)));
    }
    if (pendingBytes >= chunkTarget) yield take();
  }
  push(trailerFor(offset));
  yield take();
}

function checkSize(member: TarMember, actual: number): void {
  if (actual !== member.size) {
    throw new AppError(
      "conflict",
      `${member.source ?? member.path} changed while it was being packed (${member.size} bytes expected, ${actual} read)`,
      "run the command again once nothing writes to it",
    );
  }
}
