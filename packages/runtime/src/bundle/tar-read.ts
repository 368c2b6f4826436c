import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { AppError } from "@swhub/shared/errors";
import { isCode } from "../fs/atomic";
import { decodeTarHeader, parsePaxRecords } from "./tar-header";

/*
 * A lean, strict streaming tar reader (ustar, PAX and GNU long names). It is ours rather than node-tar's Parser
 * because that wraps every entry in a stream with events and decodes headers with regular expressions, which
 * together cost more than gunzip itself on a venv of 10,000+ small files. Member boundaries follow Python's
 * tarfile (the reader Starwhale uses): only regular files and unknown types carry data. Strict means: a bad
 * checksum, a truncated member, a missing end-of-archive marker or a lone zero block is an error, never a
 * silent stop (Python's tarfile stops at a zero block, so it would see fewer members than we do).
 */

/** One archive member, with PAX and GNU long-name headers already applied. */
export interface TarEntry {
  path: string;
  /** node-tar's type name: "File", "Directory", "SymbolicLink", "Link", "CharacterDevice", "FIFO", ... */
  type: string;
  size: number;
  mode: number;
  /** Seconds since 1970, fractional when a PAX record says so. */
  mtime?: number;
  linkpath?: string;
  /** Where the member's data starts in the (uncompressed) archive, counted from `start`. */
  offset: number;
}

/** Receives a member's data in order. `end` may return "stop" to stop reading the archive after it. */
export interface EntryBody {
  data(chunk: Buffer): void;
  end(): "stop" | undefined;
}

/** Called per member in archive order; returns a body to receive its data, nothing to skip it, or "stop". */
export type EntryHandler = (entry: TarEntry) => EntryBody | "stop" | undefined;

export interface ParseTarFileOptions {
  /** Gunzip first, on a worker thread, overlapping with what the handler does on this one. Default: sniff. */
  gzip?: boolean;
  /** Archive (file) bytes read so far. */
  onRead?: (bytes: number) => void;
  /** Stop reading, with the signal's reason as the error, when aborted. */
  signal?: AbortSignal;
  /** Read the archive from this byte of the file on (a tar inside another tar); default 0. */
  start?: number;
  /** ...up to this byte (inclusive); default the end of the file. */
  end?: number;
}

const block = 512;
const maxMetaBytes = 1 << 20;
const maxTrailingBytes = 1 << 20;
const metaTypes = new Set([
  "ExtendedHeader",
  "OldExtendedHeader",
  "GlobalExtendedHeader",
  "NextFileHasLongPath",
  "OldGnuLongPath",
  "NextFileHasLongLinkpath",
]);

/** Header fields that PAX records and GNU long names override. */
interface Overrides {
  path?: string;
  linkpath?: string;
  size?: number;
  mtime?: number;
  sparse?: boolean;
}

const dataTypes = new Set(["File", "OldFile", "ContiguousFile", "SparseFile", "Unsupported"]);

/** Parse a tar file (gzipped or not). Errors from the handler pass through unchanged. */
export async function parseTarFile(
  path: string,
  onEntry: EntryHandler,
  options: ParseTarFileOptions = {},
): Promise<"complete" | "stopped"> {
  const corrupt = (detail: string) =>
    new AppError("invalid_input", `${path} is corrupt or truncated: ${detail}`, "download or build it again");

  let offset = 0; // archive (uncompressed) bytes consumed
  let partial: Buffer | undefined; // an incomplete header block carried to the next chunk
  let remain = 0; // data bytes of the current member still to come
  let skip = 0; // padding (or ignored data) bytes still to come
  let body: EntryBody | undefined;
  let meta: { type: string; size: number; parts: Buffer[] } | undefined;
  let ex: Overrides = {};
  const gex: Overrides = {};
  let zeros = 0;
  let ended = false;
  let stopped = false;

  const onHeader = (buf: Buffer, at: number): void => {
    if (isZero(buf, at)) {
      zeros++;
      if (zeros === 2) ended = true;
      return;
    }
    if (zeros > 0) throw corrupt(`a lone zero block at byte ${offset - 2 * block}`);
    const header = decodeTarHeader(buf, at);
    if (!header.checksumValid) throw corrupt(`bad header checksum at byte ${offset - block}`);
    if (metaTypes.has(header.type)) {
      const size = header.size;
      if (!Number.isSafeInteger(size) || size > maxMetaBytes) {
        throw corrupt(`an extended header of ${size} bytes at byte ${offset - block}`);
      }
      meta = { type: header.type, size, parts: [] };
      remain = size;
      skip = padding(size);
      if (size === 0) endMeta();
      return;
    }
    const o = { ...gex, ...ex };
    ex = {};
    let type = o.sparse ? "SparseFile" : header.type;
    const path = o.path ?? header.path;
    if (type === "OldFile" && path.endsWith("/")) type = "Directory";
    const size = dataTypes.has(type) ? (o.size ?? header.size) : 0;
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`bad size field at byte ${offset - block}`);
    if (!path) throw corrupt(`a member without a name at byte ${offset - block}`);
    const mtime = o.mtime ?? header.mtime;
    const entry: TarEntry = {
      path,
      type,
      size,
      mode: Number.isFinite(header.mode) ? header.mode : 0,
      mtime: Number.isFinite(mtime) ? mtime : undefined,
      linkpath: (o.linkpath ?? header.linkpath) || undefined,
      offset,
    };
    const handled = onEntry(entry);
    if (handled === "stop") {
      stopped = true;
      return;
    }
    body = handled;
    remain = size;
    skip = padding(size);
    if (size === 0) endBody();
  };
  const endBody = (): void => {
    const current = body;
    body = undefined;
    if (current?.end() === "stop") stopped = true;
  };
  const endMeta = (): void => {
    const { type, parts } = meta!;
    meta = undefined;
    const data = Buffer.concat(parts);
    if (type === "NextFileHasLongPath" || type === "OldGnuLongPath" || type === "NextFileHasLongLinkpath") {
      const end = data.indexOf(0);
      const value = data.toString("utf8", 0, end < 0 ? data.length : end);
      if (type === "NextFileHasLongLinkpath") ex.linkpath = value;
      else ex.path = value;
      return;
    }
    const records = parsePaxRecords(data);
    if (!records) throw corrupt(`a malformed PAX header before byte ${offset}`);
    const target = type === "GlobalExtendedHeader" ? gex : ex;
    for (const [key, value] of records) {
      if (key === "path" && target === ex) ex.path = value;
      else if (key === "linkpath" && target === ex) ex.linkpath = value;
      else if (key === "size" || key === "mtime") {
        const number = Number(value);
        if (value === "" || !Number.isFinite(number)) throw corrupt(`a bad PAX ${key} "${value}"`);
        target[key] = number;
      } else if (key.startsWith("GNU.sparse.")) target.sparse = true;
    }
  };

  /** Feed one chunk; returns when it is used up or the handler stopped. */
  const feed = (chunk: Buffer): void => {
    let at = 0;
    if (partial) {
      const need = block - partial.length;
      const joined = Buffer.concat([partial, chunk.subarray(0, need)]);
      at = Math.min(need, chunk.length);
      if (joined.length < block) {
        partial = joined;
        return;
      }
      partial = undefined;
      offset += block;
      onHeader(joined, 0);
    }
    while (at < chunk.length && !stopped && !ended) {
      if (remain > 0) {
        const n = Math.min(remain, chunk.length - at);
        const slice = chunk.subarray(at, at + n);
        if (meta) meta.parts.push(Buffer.from(slice));
        else body?.data(slice);
        remain -= n;
        at += n;
        offset += n;
        if (remain === 0) {
          if (meta) endMeta();
          else endBody();
        }
      } else if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        offset += n;
      } else if (chunk.length - at < block) {
        partial = Buffer.from(chunk.subarray(at));
        at = chunk.length;
      } else {
        offset += block;
        onHeader(chunk, at);
        at += block;
      }
    }
  };

  const range = {
    ...(options.start !== undefined ? { start: options.start } : {}),
    ...(options.end !== undefined ? { end: options.end } : {}),
  };
  const gzip = options.gzip ?? (await isGzip(path, options.start ?? 0));
  const source = createReadStream(path, { highWaterMark: 1 << 20, ...range });
  if (options.onRead) {
    let read = 0;
    source.on("data", (chunk) => {
      read += chunk.length;
      options.onRead?.(read);
    });
  }
  // Errors of ours and of the handler are kept aside: returning early makes pipeline report an abort instead.
  let failure: { error: unknown } | undefined;
  const consume = async (input: AsyncIterable<Buffer>) => {
    let trailing = 0;
    for await (const chunk of input) {
      if (stopped) return;
      if (options.signal?.aborted) {
        failure = { error: options.signal.reason };
        return;
      }
      if (!ended) {
        try {
          feed(chunk);
        } catch (error) {
          failure = { error };
          return;
        }
      }
      // Past the end-of-archive marker comes record padding: read a little of it, so that gzip's checksum at the
      // very end is verified, but never an unbounded tail.
      else {
        trailing += chunk.length;
        if (trailing > maxTrailingBytes) return;
      }
    }
  };
  try {
    if (gzip) await pipeline(source, createGunzip({ chunkSize: 1 << 18 }), consume);
    else await pipeline(source, consume);
  } catch (error) {
    const ours = failure || ((stopped || ended) && isCode(error, "ABORT_ERR"));
    if (!ours) {
      if (isCode(error, "ENOENT")) throw new AppError("not_found", `${path} does not exist`);
      if (isCode(error, "Z_DATA_ERROR", "Z_BUF_ERROR"))
        throw corrupt(`bad gzip data (${(error as Error).message})`);
      throw error;
    }
  }
  if (failure) throw failure.error;
  if (stopped) return "stopped";
  if (!ended) {
    throw corrupt(
      remain > 0 || meta || partial
        ? `it ends inside a member, at byte ${offset}`
        : "it ends before the end-of-archive marker",
    );
  }
  return "complete";
}

async function isGzip(path: string, at: number): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, at);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } catch (error) {
    if (isCode(error, "ENOENT")) throw new AppError("not_found", `${path} does not exist`);
    throw error;
  } finally {
    await handle?.close();
  }
}

function padding(size: number): number {
  const rest = size % block;
  return rest === 0 ? 0 : block - rest;
}

function isZero(buf: Buffer, at: number): boolean {
  for (let i = at; i < at + block; i++) if (buf[i] !== 0) return false;
  return true;
}
