import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { trailingHash } from "./trailing-hash";

const dir = mkdtempSync(join(tmpdir(), "swcli-trailing-hash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

describe("trailingHash", () => {
  it("hashes a file as it grows, whatever the steps", async () => {
    const path = join(dir, "growing");
    writeFileSync(path, "");
    const bytes = Buffer.from(Array.from({ length: (9 << 20) + 123 }, (_, i) => (i * 7) % 256));
    const hash = trailingHash(path);
    for (let at = 0; at < bytes.length; at += 3 << 20) {
      appendFileSync(path, bytes.subarray(at, at + (3 << 20)));
      hash.advance(Math.min(bytes.length, at + (3 << 20)));
    }
    expect(await hash.finish(bytes.length)).toBe(sha(bytes));
  });

  it("fails when the file is shorter than the size it was promised", async () => {
    const path = join(dir, "short");
    writeFileSync(path, Buffer.alloc(1000, 1));
    const hash = trailingHash(path);
    await expect(hash.finish(5000)).rejects.toThrow("ended after 1000 bytes");
  });

  it("hashes an empty file", async () => {
    const path = join(dir, "empty");
    writeFileSync(path, "");
    expect(await trailingHash(path).finish(0)).toBe(sha(Buffer.alloc(0)));
  });
});
