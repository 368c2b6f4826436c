import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { extract } from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { scanTar } from "./tar-seek";

const work = mkdtempSync(join(tmpdir(), "swhub-tar-seek-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A tree with what bundles hold: nested dirs, a name past 100 bytes, an empty file, a larger file. */
function tree(): string {
  const root = join(work, "tree");
  rmSync(root, { recursive: true, force: true });
  const deep = join(root, "dependencies", `${"d".repeat(80)}`, `${"e".repeat(60)}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(root, "_manifest.yaml"), "version: abc\n");
  writeFileSync(join(deep, "lock.txt"), "numpy==1.0\n");
  writeFileSync(join(root, "empty"), "");
  writeFileSync(join(root, "big.bin"), Buffer.alloc(700_000, 7));
  return root;
}

const archives: Record<string, () => Buffer> = {
  "GNU tar (long names as L members)": () => {
    const out = join(work, "gnu.tar");
    execFileSync("tar", ["--format=gnu", "-cf", out, "-C", tree(), "."]);
    return readFileSync(out);
  },
  "pax tar (long names as x records)": () => {
    const out = join(work, "pax.tar");
    execFileSync("tar", ["--format=pax", "-cf", out, "-C", tree(), "."]);
    return readFileSync(out);
  },
  "Python's tarfile (what Starwhale writes)": () => {
    const out = join(work, "py.tar");
    const root = tree();
    execFileSync("python3", [
      "-c",
      "import sys,tarfile\nwith tarfile.open(sys.argv[1],'w') as t: t.add(sys.argv[2], arcname='/')",
      out,
      root,
    ]);
    return readFileSync(out);
  },
};

const opener = (bytes: Buffer) => async (range: { start: number; end: number }) =>
  Readable.from([bytes.subarray(range.start, range.end + 1)]);

async function withScan(bytes: Buffer) {
  const seen: { name: string; type: string; size: number; text?: string }[] = [];
  await scanTar(opener(bytes), bytes.length, async (m) => {
    seen.push({
      name: m.name,
      type: m.type,
      size: m.size,
      ...(m.name.endsWith(".txt") || m.name.endsWith(".yaml") ? { text: (await m.data()).toString() } : {}),
    });
  });
  return seen;
}

async function withTarStream(bytes: Buffer) {
  const seen: { name: string; type: string; size: number; text?: string }[] = [];
  const tar = extract();
  Readable.from([bytes]).pipe(tar);
  for await (const entry of tar) {
    const { name, type, size = 0 } = entry.header;
    const parts: Buffer[] = [];
    for await (const part of entry) parts.push(part as Buffer);
    seen.push({
      name,
      type: type === "file" ? "file" : type === "directory" ? "directory" : "other",
      size,
      ...(name.endsWith(".txt") || name.endsWith(".yaml") ? { text: Buffer.concat(parts).toString() } : {}),
    });
  }
  return seen;
}

describe("scanTar", () => {
  for (const [what, make] of Object.entries(archives)) {
    it(`lists the same members and texts as tar-stream: ${what}`, async () => {
      const bytes = make();
      const ours = await withScan(bytes);
      expect(ours).toEqual(await withTarStream(bytes));
      expect(ours.map((m) => m.name)).toContain(
        ours.find((m) => m.name.endsWith("lock.txt"))?.name ?? "a long name",
      );
      expect(ours.find((m) => m.name.endsWith("lock.txt"))?.text).toBe("numpy==1.0\n");
    });
  }

  it("reads only headers and wanted members, not the data it jumps over", async () => {
    const bytes = archives["GNU tar (long names as L members)"]!();
    let read = 0;
    await scanTar(
      async (range) => {
        read += range.end - range.start + 1;
        return opener(bytes)(range);
      },
      bytes.length,
      async () => {},
    );
    // One window of headers and small members; most of big.bin is never read.
    expect(read).toBeLessThan(bytes.length / 2);
  });

  it("refuses what is not a tar, and a tar cut short", async () => {
    const junk = Buffer.from("this is not a tar archive ".repeat(40));
    await expect(withScan(junk)).rejects.toThrow(/Invalid tar header/);
    const whole = archives["pax tar (long names as x records)"]!();
    const start = whole.indexOf("big.bin") - (whole.indexOf("big.bin") % 512);
    await expect(withScan(whole.subarray(0, start + 512 + 1000))).rejects.toThrow(/Unexpected end of data/);
  });
});
