/*
 * Hand-made tar archives for tests, hostile ones included. Written independently of the code under test
 * (tar-header.ts), straight from the ustar layout, so that a bug there cannot hide a bug here.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CraftedMember {
  name: string;
  /** ustar type flag: "0" file, "1" hardlink, "2" symlink, "3" char device, "5" dir, "6" fifo, "x" pax, "L" GNU long name. */
  type?: string;
  data?: Buffer | string;
  /** Declared size, when it should differ from the data's length. */
  size?: number;
  linkname?: string;
  mode?: number;
  mtime?: number;
  /** Overwrite the computed checksum (to make a corrupt header). */
  checksum?: number;
}

export function craftHeader(member: CraftedMember): Buffer {
  const data = Buffer.from(member.data ?? "");
  const block = Buffer.alloc(512);
  const text = (offset: number, length: number, value: string) => block.write(value, offset, length, "utf8");
  const octal = (offset: number, length: number, value: number) =>
    block.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii");
  text(0, 100, member.name);
  octal(100, 8, member.mode ?? (member.type === "5" ? 0o755 : 0o644));
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, member.size ?? data.length);
  octal(136, 12, member.mtime ?? 1_700_000_000);
  block.write(member.type ?? "0", 156, "ascii");
  text(157, 100, member.linkname ?? "");
  block.write("ustar\u000000", 257, "binary");
  text(265, 32, "root");
  text(297, 32, "root");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${(member.checksum ?? sum).toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return block;
}

/** A complete archive: each member's header and zero-padded data, then two zero blocks. */
export function craftTar(members: CraftedMember[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const member of members) {
    const data = Buffer.from(member.data ?? "");
    parts.push(craftHeader(member), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (options.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A PAX extended header member carrying `records` for the member after it. */
export function paxMember(records: Record<string, string>): CraftedMember {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const payload = Buffer.byteLength(` ${key}=${value}\n`);
      let length = payload + String(payload).length;
      if (String(length).length !== String(payload).length) length = payload + String(length).length;
      return `${length} ${key}=${value}\n`;
    })
    .join("");
  return { name: "././@PaxHeader", type: "x", data: body };
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `swhub-${prefix}-`));
}
