/*
 * Tar headers byte-for-byte as Python's tarfile writes them in PAX_FORMAT (Starwhale packs bundles with it):
 * a "././@PaxHeader" extended header before every member, then a ustar header with NUL-terminated octal
 * fields and a "%06o\0 " checksum. Every member carries its mtime in the PAX record, as in Starwhale's bundles
 * (there because Python stores float mtimes; here because it keeps the two layouts identical).
 */

export const blockSize = 512;
/** Python's tarfile (and GNU tar) pad the archive to a multiple of 20 blocks. */
export const recordSize = 20 * blockSize;

export type TarMemberType = "file" | "dir" | "symlink";

export interface TarHeaderFields {
  /** Relative path without trailing slash; "" is the root directory, written as "/" like Starwhale does. */
  path: string;
  type: TarMemberType;
  mode: number;
  size: number;
  /** Integer seconds. */
  mtime: number;
  linkpath?: string;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

const typeFlags: Record<TarMemberType, string> = { file: "0", dir: "5", symlink: "2" };

/** The header blocks (PAX extended header + ustar header) for one member. */
export function encodeTarHeader(fields: TarHeaderFields): Buffer {
  const name = fields.type === "dir" ? `${fields.path}/` : fields.path;
  const linkname = fields.linkpath ?? "";
  // Insertion order matters for byte equality with Python: its pax_headers dict starts with our preset mtime.
  const pax: [string, string][] = [["mtime", String(fields.mtime)]];
  const info = { name, linkname, uname: fields.uname, gname: fields.gname };
  for (const [key, paxKey, length] of [
    ["name", "path", 100],
    ["linkname", "linkpath", 100],
    ["uname", "uname", 32],
    ["gname", "gname", 32],
  ] as const) {
    const value = info[key];
    if (!isAscii(value) || value.length > length) pax.push([paxKey, value]);
  }
  let { uid, gid, size } = fields;
  for (const [key, value] of [
    ["uid", uid],
    ["gid", gid],
    ["size", size],
  ] as const) {
    const digits = key === "size" ? 12 : 8;
    if (value >= 0 && value < 8 ** (digits - 1)) continue;
    pax.push([key, String(value)]);
    if (key === "uid") uid = 0;
    if (key === "gid") gid = 0;
    if (key === "size") size = 0;
  }
  // Out-of-range mtimes live only in the PAX record (always present), as Python does.
  const mtime = fields.mtime >= 0 && fields.mtime < 8 ** 11 ? fields.mtime : 0;
  const paxBlocks = encodePaxHeader(pax);
  const ustar = encodeUstar({
    name,
    mode: fields.mode,
    uid,
    gid,
    size,
    mtime,
    typeflag: typeFlags[fields.type],
    linkname,
    uname: fields.uname,
    gname: fields.gname,
  });
  return Buffer.concat([paxBlocks, ustar]);
}

/** Zero padding that completes a member's data to a whole block. */
export function paddingFor(size: number): number {
  const rest = size % blockSize;
  return rest === 0 ? 0 : blockSize - rest;
}

/** The end-of-archive marker (two zero blocks) plus padding to a whole record, given the bytes written so far. */
export function trailerFor(offset: number): Buffer {
  const end = offset + 2 * blockSize;
  const rest = end % recordSize;
  return Buffer.alloc(2 * blockSize + (rest === 0 ? 0 : recordSize - rest));
}

function encodePaxHeader(records: [string, string][]): Buffer {
  const body = Buffer.concat(records.map(([key, value]) => encodePaxRecord(key, value)));
  const header = encodeUstar({
    name: "././@PaxHeader",
    mode: 0,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: 0,
    typeflag: "x",
    linkname: "",
    uname: "",
    gname: "",
  });
  return Buffer.concat([header, body, Buffer.alloc(paddingFor(body.length))]);
}

/** "<len> <key>=<value>\n" where <len> counts the whole record including its own digits. */
function encodePaxRecord(key: string, value: string): Buffer {
  const payload = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
  let length = payload;
  for (let prev = 0; length !== prev; ) {
    prev = length;
    length = payload + String(prev).length;
  }
  return Buffer.from(`${length} ${key}=${value}\n`, "utf8");
}

interface UstarFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
}

function encodeUstar(f: UstarFields): Buffer {
  const block = Buffer.alloc(blockSize);
  writeString(block, 0, 100, f.name);
  writeOctal(block, 100, 8, f.mode & 0o7777);
  writeOctal(block, 108, 8, f.uid);
  writeOctal(block, 116, 8, f.gid);
  writeOctal(block, 124, 12, f.size);
  writeOctal(block, 136, 12, f.mtime);
  block.write("        ", 148, "ascii");
  block.write(f.typeflag, 156, "ascii");
  writeString(block, 157, 100, f.linkname);
  block.write("ustar\u000000", 257, "ascii");
  writeString(block, 265, 32, f.uname);
  writeString(block, 297, 32, f.gname);
  // devmajor, devminor and prefix stay NUL: Python leaves them empty for non-device members in PAX format.
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000`, 148, "ascii");
  return block;
}

/** Python's stn(): encode as ASCII with "?" for anything else, truncate, NUL-pad. */
function writeString(block: Buffer, offset: number, length: number, value: string): void {
  const ascii = value.replace(/[^\x00-\x7f]/gu, "?");
  block.write(ascii.slice(0, length), offset, length, "ascii");
}

/** Python's itn() for in-range values: zero-padded octal with a trailing NUL. */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(
    `${Math.trunc(value)
      .toString(8)
      .padStart(length - 1, "0")}\u0000`,
    offset,
    length,
    "ascii",
  );
}

function isAscii(value: string): boolean {
  return /^[\x00-\x7f]*$/.test(value);
}

/** A decoded header block, before PAX or GNU long-name overrides. */
export interface DecodedHeader {
  path: string;
  /** node-tar's type name for the type flag ("File", "Directory", "ExtendedHeader", ...), or "Unsupported". */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkpath: string;
  checksumValid: boolean;
}

const typeNames: Record<string, string> = {
  "0": "File",
  "": "OldFile",
  "1": "Link",
  "2": "SymbolicLink",
  "3": "CharacterDevice",
  "4": "BlockDevice",
  "5": "Directory",
  "6": "FIFO",
  "7": "ContiguousFile",
  g: "GlobalExtendedHeader",
  x: "ExtendedHeader",
  X: "OldExtendedHeader",
  K: "NextFileHasLongLinkpath",
  L: "NextFileHasLongPath",
  N: "OldGnuLongPath",
  S: "SparseFile",
  D: "GNUDumpDir",
  V: "TapeVolumeHeader",
  M: "ContinuationFile",
};

/** Decode the 512-byte header block at `at` (ustar, pax or GNU), field by field without regular expressions. */
export function decodeTarHeader(buf: Buffer, at: number): DecodedHeader {
  const flag = buf[at + 156] === 0 ? "" : String.fromCharCode(buf[at + 156]!);
  const posix = buf.toString("latin1", at + 257, at + 263) === "ustar\0";
  let path = readString(buf, at, 100);
  if (posix && buf[at + 345] !== 0) path = `${readString(buf, at + 345, 155)}/${path}`;
  return {
    path,
    type: typeNames[flag] ?? "Unsupported",
    mode: readNumber(buf, at + 100, 8),
    uid: readNumber(buf, at + 108, 8),
    gid: readNumber(buf, at + 116, 8),
    size: readNumber(buf, at + 124, 12),
    mtime: readNumber(buf, at + 136, 12),
    linkpath: readString(buf, at + 157, 100),
    checksumValid: readNumber(buf, at + 148, 8) === checksum(buf, at),
  };
}

/** PAX records ("<len> <key>=<value>\n"), read by their lengths so values may hold newlines. */
export function parsePaxRecords(data: Buffer): Map<string, string> | undefined {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? Number.NaN : Number(data.toString("latin1", at, space));
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length) return undefined;
    const record = data.toString("utf8", space + 1, at + length - 1);
    const eq = record.indexOf("=");
    if (eq < 0 || data[at + length - 1] !== 0x0a) return undefined;
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

function readString(buf: Buffer, at: number, length: number): string {
  let end = at;
  while (end < at + length && buf[end] !== 0) end++;
  return buf.toString("utf8", at, end);
}

/** Octal text (NUL/space padded), or GNU base-256 for large values; NaN when neither. */
function readNumber(buf: Buffer, at: number, length: number): number {
  const first = buf[at]!;
  if (first & 0x80) {
    if (first !== 0x80) return Number.NaN; // negative
    let value = 0;
    for (let i = at + 1; i < at + length; i++) value = value * 256 + buf[i]!;
    return value;
  }
  let value = 0;
  let digits = 0;
  let i = at;
  while (i < at + length && buf[i] === 0x20) i++;
  for (; i < at + length; i++) {
    const c = buf[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return Number.NaN;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : value;
}

function checksum(buf: Buffer, at: number): number {
  let sum = 8 * 0x20;
  for (let i = at; i < at + 148; i++) sum += buf[i]!;
  for (let i = at + 156; i < at + blockSize; i++) sum += buf[i]!;
  return sum;
}
