/*
 * ustar headers for layer tars, with a PAX extended header only when a field does not fit (long or non-ASCII
 * names, sizes of 8 GiB and more), as Docker and BuildKit write them.
 */

export interface HeaderFields {
  /** Member name; directories end with "/". */
  name: string;
  type: "file" | "dir" | "symlink" | "hardlink";
  mode: number;
  /** Whole seconds. */
  mtime: number;
  size: number;
  linkname?: string;
  uid: number;
  gid: number;
}

const typeflags = { file: "0", hardlink: "1", symlink: "2", dir: "5" } as const;
const maxOctal11 = 8 ** 11;

export function encodeHeader(fields: HeaderFields): Buffer {
  const pax: [string, string][] = [];
  let name = fields.name;
  let prefix = "";
  if (!fits(name, 100)) {
    const split = splitName(name);
    if (split) [prefix, name] = split;
    else {
      pax.push(["path", fields.name]);
      name = asciiTail(fields.name, 100);
    }
  }
  let linkname = fields.linkname ?? "";
  if (!fits(linkname, 100)) {
    pax.push(["linkpath", linkname]);
    linkname = asciiTail(linkname, 100);
  }
  let size = fields.size;
  if (size >= maxOctal11) {
    pax.push(["size", String(size)]);
    size = 0;
  }
  const mtime = fields.mtime >= 0 && fields.mtime < maxOctal11 ? fields.mtime : 0;
  const ustar = ustarBlock({ ...fields, name, prefix, linkname, size, mtime });
  if (pax.length === 0) return ustar;
  const body = Buffer.concat(pax.map(([key, value]) => paxRecord(key, value)));
  const paxHeader = ustarBlock({
    name: "././@PaxHeader",
    prefix: "",
    type: "pax",
    mode: 0o644,
    mtime: 0,
    size: body.length,
    linkname: "",
    uid: 0,
    gid: 0,
  });
  return Buffer.concat([paxHeader, body, Buffer.alloc((512 - (body.length % 512)) % 512), ustar]);
}

function fits(value: string, length: number): boolean {
  return value.length <= length && /^[\x00-\x7f]*$/.test(value);
}

/** ustar's prefix/name split at a "/", when both parts are short enough ASCII. */
function splitName(name: string): [string, string] | undefined {
  if (!/^[\x00-\x7f]*$/.test(name) || name.length > 256) return undefined;
  const body = name.endsWith("/") ? name.slice(0, -1) : name;
  for (let at = body.indexOf("/"); at >= 0; at = body.indexOf("/", at + 1)) {
    const prefix = name.slice(0, at);
    const rest = name.slice(at + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return [prefix, rest];
  }
  return undefined;
}

function asciiTail(value: string, length: number): string {
  return value.replace(/[^\x00-\x7f]/g, "_").slice(-length);
}

/** "<len> <key>=<value>\n", where <len> counts the whole record including its own digits. */
function paxRecord(key: string, value: string): Buffer {
  const payload = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
  let length = payload;
  for (let prev = 0; length !== prev; ) {
    prev = length;
    length = payload + String(prev).length;
  }
  return Buffer.from(`${length} ${key}=${value}\n`, "utf8");
}

type BlockFields = Omit<HeaderFields, "type"> & {
  type: HeaderFields["type"] | "pax";
  prefix: string;
  linkname: string;
};

function ustarBlock(f: BlockFields): Buffer {
  const block = Buffer.alloc(512);
  block.write(f.name, 0, 100, "ascii");
  octal(block, 100, 8, f.mode & 0o7777);
  octal(block, 108, 8, f.uid);
  octal(block, 116, 8, f.gid);
  octal(block, 124, 12, f.size);
  octal(block, 136, 12, f.mtime);
  block.write("        ", 148, "ascii");
  block.write(f.type === "pax" ? "x" : typeflags[f.type], 156, "ascii");
  block.write(f.linkname, 157, 100, "ascii");
  block.write("ustar\u000000", 257, "ascii");
  block.write(f.prefix, 345, 155, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, "ascii");
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(
    `${Math.trunc(value)
      .toString(8)
      .padStart(length - 1, "0")}\u0000`,
    offset,
    length,
    "ascii",
  );
}
