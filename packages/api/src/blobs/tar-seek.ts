import type { Readable } from "node:stream";
import { readAll } from "./store";

/** One member of a tar archive, as `scanTar` hands it over: its header, and its data on request. */
export interface TarMember {
  /** The full name: ustar prefix, GNU long name and pax `path` applied. */
  name: string;
  type: "file" | "directory" | "other";
  size: number;
  /** Reads the member's data (only called for the few members that are wanted). */
  data(): Promise<Buffer>;
}

/** Long names and pax records are a few hundred bytes; anything larger is not a tar we read. */
const maxLongHeaderBytes = 1 << 20;
/** Bytes read at a time while walking headers: many small members come in one read, a big one is jumped over. */
const windowBytes = 256 << 10;

const block = 512;
const padded = (size: number) => Math.ceil(size / block) * block;

/**
 * Walks an uncompressed tar archive by its headers, jumping over member data it does not need instead of reading
 * it: committing a 200 MB bundle reads a few kilobytes of headers, not the whole blob again. Understands ustar,
 * GNU (long names `L`) and pax (`x`, `g`) headers, like tar-stream. Throws a plain Error on a malformed archive.
 */
export async function scanTar(
  open: (range: { start: number; end: number }) => Promise<Readable>,
  size: number,
  onMember: (member: TarMember) => Promise<void>,
): Promise<void> {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  const bytes = async (start: number, length: number): Promise<Buffer> => {
    if (start + length > size) throw new Error("Unexpected end of data");
    if (start < windowStart || start + length > windowStart + window.length) {
      const end = Math.min(size, start + Math.max(length, windowBytes));
      window = length === 0 ? Buffer.alloc(0) : await readAll(await open({ start, end: end - 1 }));
      windowStart = start;
      if (window.length < end - start) throw new Error("Unexpected end of data");
    }
    return window.subarray(start - windowStart, start - windowStart + length);
  };

  let position = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  let paxGlobal: Record<string, string> = {};
  while (position < size) {
    const header = await bytes(position, block);
    const dataStart = position + block;
    if (isZeroBlock(header)) {
      position = dataStart;
      continue;
    }
    const fields = decodeHeader(header);
    const longData = async () => {
      if (fields.size > maxLongHeaderBytes) throw new Error("Header exceeds max size");
      return Buffer.from(await bytes(dataStart, fields.size));
    };
    position = dataStart + padded(fields.size);
    if (fields.typeflag === "L") {
      longName = decodeLongPath(await longData());
      continue;
    }
    if (fields.typeflag === "K") {
      await longData();
      continue;
    }
    if (fields.typeflag === "x" || fields.typeflag === "g") {
      const records = decodePax(await longData());
      if (fields.typeflag === "g") paxGlobal = records;
      else pax = { ...paxGlobal, ...records };
      continue;
    }
    let name = longName ?? fields.name;
    let memberSize = fields.size;
    if (pax.path) name = pax.path;
    if (pax.size) memberSize = Number.parseInt(pax.size, 10);
    longName = undefined;
    pax = {};
    if (!(memberSize >= 0)) throw new Error("Invalid header");
    let type: TarMember["type"] =
      fields.typeflag === "0" || fields.typeflag === "\0" || fields.typeflag === "7" ? "file" : "other";
    if (fields.typeflag === "5" || (fields.typeflag !== "7" && type === "file" && name.endsWith("/"))) {
      type = "directory";
    }
    // As tar-stream does: a directory's header is followed by no data, whatever its size field says.
    const dataSize = type === "directory" ? 0 : memberSize;
    position = dataStart + padded(dataSize);
    if (position > size) throw new Error("Unexpected end of data");
    await onMember({
      name,
      type,
      size: memberSize,
      data: async () => Buffer.from(await bytes(dataStart, dataSize)),
    });
  }
}

function isZeroBlock(header: Buffer): boolean {
  for (let i = 0; i < block; i++) if (header[i] !== 0) return false;
  return true;
}

function decodeHeader(header: Buffer): { name: string; size: number; typeflag: string } {
  let sum = 8 * 32;
  for (let i = 0; i < block; i++) if (i < 148 || i >= 156) sum += header[i]!;
  if (sum !== decodeNumber(header, 148, 8)) {
    throw new Error("Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?");
  }
  const magic = header.toString("latin1", 257, 263);
  let name = decodeString(header, 0, 100);
  if (magic === "ustar\0" && header[345]) name = `${decodeString(header, 345, 155)}/${name}`;
  else if (magic !== "ustar\0" && magic !== "ustar ") throw new Error("Invalid tar header: unknown format.");
  return { name, size: decodeNumber(header, 124, 12), typeflag: String.fromCharCode(header[156]!) };
}

function decodeString(header: Buffer, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end === -1 ? length : end);
}

/** An octal field, or a base-256 one (GNU, for sizes past 8 GiB) when its first byte has the top bit set. */
function decodeNumber(header: Buffer, offset: number, length: number): number {
  const field = header.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString("latin1").replace(/\0.*$/s, "").trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function decodeLongPath(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString("utf8", 0, end === -1 ? data.length : end);
}

/** pax records: `<length> <key>=<value>\n`, repeated. */
function decodePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let rest = data;
  while (rest.length) {
    const space = rest.indexOf(0x20);
    const length = Number.parseInt(rest.toString("latin1", 0, space === -1 ? rest.length : space), 10);
    if (!length) break;
    const record = rest.toString("utf8", space + 1, length - 1);
    const equals = record.indexOf("=");
    if (equals === -1) break;
    records[record.slice(0, equals)] = record.slice(equals + 1);
    rest = rest.subarray(length);
  }
  return records;
}
