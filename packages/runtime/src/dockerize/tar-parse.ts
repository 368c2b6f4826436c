import { invalidInput } from "@swhub/shared/errors";
import { decodeTarHeader, parsePaxRecords } from "../bundle/tar-header";

/*
 * A tar read as a sequence of items rather than a stream per member: the caller decides per member whether its
 * data is passed through (as slices of the input), buffered whole, or skipped. PAX and GNU long names are applied;
 * a bad checksum, a truncated archive or a member kind that has no place in an image is an error.
 */

export interface TarMember {
  /** Relative, without "./", leading "/" or trailing "/"; "" is the archive's root. */
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink";
  mode: number;
  /** Seconds, possibly fractional (PAX). */
  mtime: number | undefined;
  size: number;
  linkpath: string;
}

export type TarItem =
  | { kind: "member"; member: TarMember }
  | { kind: "data"; data: Buffer }
  | { kind: "end"; size: number }
  | { kind: "buffered"; member: TarMember; data: Buffer };

/** `pass`: a `member` item, `data` items, an `end` item. `buffer`: one `buffered` item. `skip`: nothing. */
export type Decision = "pass" | "buffer" | "skip";

const types: Record<string, TarMember["type"]> = {
  File: "file",
  OldFile: "file",
  ContiguousFile: "file",
  Directory: "dir",
  SymbolicLink: "symlink",
  Link: "hardlink",
};
const metaTypes = new Set([
  "ExtendedHeader",
  "OldExtendedHeader",
  "GlobalExtendedHeader",
  "NextFileHasLongPath",
  "OldGnuLongPath",
  "NextFileHasLongLinkpath",
]);

export async function* readTar(
  input: AsyncIterable<Buffer>,
  what: string,
  decide: (member: TarMember) => Decision,
): AsyncGenerator<TarItem> {
  const corrupt = (detail: string) => invalidInput(`${what} is corrupt or truncated: ${detail}`);
  let partial: Buffer | undefined;
  let remain = 0;
  let skip = 0;
  let zeros = 0;
  let ended = false;
  // What the current member's data is for.
  let target:
    | { kind: "meta"; type: string; parts: Buffer[] }
    | { kind: Decision; member: TarMember; parts: Buffer[] }
    | undefined;
  let ex: { path?: string; linkpath?: string; size?: number; mtime?: number } = {};
  const gex: typeof ex = {};
  const items: TarItem[] = [];

  const onHeader = (buf: Buffer, at: number) => {
    if (isZero(buf, at)) {
      if (++zeros === 2) ended = true;
      return;
    }
    if (zeros > 0) throw corrupt("a lone zero block");
    const header = decodeTarHeader(buf, at);
    if (!header.checksumValid) throw corrupt("a bad header checksum");
    if (metaTypes.has(header.type)) {
      if (header.size > 1 << 20) throw corrupt(`an extended header of ${header.size} bytes`);
      target = { kind: "meta", type: header.type, parts: [] };
      start(header.size);
      return;
    }
    const o = { ...gex, ...ex };
    ex = {};
    const type = types[header.type];
    const rawPath = o.path ?? header.path;
    if (!type)
      throw invalidInput(`${what}: "${rawPath}" is a ${header.type}, which has no place in an image layer`);
    const size = type === "file" ? (o.size ?? header.size) : 0;
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt("a bad size field");
    const member: TarMember = {
      path: memberPath(rawPath),
      type: header.type === "OldFile" && rawPath.endsWith("/") ? "dir" : type,
      mode: Number.isFinite(header.mode) ? header.mode : 0o644,
      mtime: o.mtime ?? (Number.isFinite(header.mtime) ? header.mtime : undefined),
      size,
      linkpath: o.linkpath ?? header.linkpath,
    };
    const decision = decide(member);
    target = { kind: decision, member, parts: [] };
    if (decision === "pass") items.push({ kind: "member", member });
    start(size);
  };
  const start = (size: number) => {
    remain = size;
    skip = (512 - (size % 512)) % 512;
    if (size === 0) finish();
  };
  const finish = () => {
    const done = target;
    target = undefined;
    if (!done) return;
    if (done.kind === "meta") applyMeta(done.type, Buffer.concat(done.parts));
    else if (done.kind === "pass") items.push({ kind: "end", size: done.member.size });
    else if (done.kind === "buffer")
      items.push({ kind: "buffered", member: done.member, data: Buffer.concat(done.parts) });
  };
  const applyMeta = (type: string, data: Buffer) => {
    if (type === "NextFileHasLongPath" || type === "OldGnuLongPath" || type === "NextFileHasLongLinkpath") {
      const end = data.indexOf(0);
      const value = data.toString("utf8", 0, end < 0 ? data.length : end);
      if (type === "NextFileHasLongLinkpath") ex.linkpath = value;
      else ex.path = value;
      return;
    }
    const records = parsePaxRecords(data);
    if (!records) throw corrupt("a malformed PAX header");
    const into = type === "GlobalExtendedHeader" ? gex : ex;
    for (const [key, value] of records) {
      if (key === "path" || key === "linkpath") into[key] = value;
      else if (key === "size" || key === "mtime") {
        const number = Number(value);
        if (value === "" || !Number.isFinite(number)) throw corrupt(`a bad PAX ${key}`);
        into[key] = number;
      } else if (key.startsWith("GNU.sparse.")) throw invalidInput(`${what}: sparse files are not supported`);
    }
  };

  for await (const chunk of input) {
    let at = 0;
    if (partial) {
      const joined = Buffer.concat([partial, chunk.subarray(0, 512 - partial.length)]);
      at = Math.min(512 - partial.length, chunk.length);
      partial = joined.length < 512 ? joined : undefined;
      if (!partial) onHeader(joined, 0);
    }
    while (at < chunk.length && !ended) {
      if (remain > 0) {
        const n = Math.min(remain, chunk.length - at);
        const slice = chunk.subarray(at, at + n);
        if (target?.kind === "pass") items.push({ kind: "data", data: slice });
        else if (target && target.kind !== "skip") target.parts.push(Buffer.from(slice));
        remain -= n;
        at += n;
        if (remain === 0) finish();
      } else if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
      } else if (chunk.length - at < 512) {
        partial = Buffer.from(chunk.subarray(at));
        at = chunk.length;
      } else {
        onHeader(chunk, at);
        at += 512;
      }
    }
    yield* items.splice(0);
  }
  if (!ended)
    throw corrupt(remain > 0 || partial ? "it ends inside a member" : "it has no end-of-archive marker");
}

/** "./a/b/" → "a/b"; "/" and "./" → "" (the root); ".." cannot climb out. */
export function memberPath(raw: string): string {
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

function isZero(buf: Buffer, at: number): boolean {
  for (let i = at; i < at + 512; i++) if (buf[i] !== 0) return false;
  return true;
}
