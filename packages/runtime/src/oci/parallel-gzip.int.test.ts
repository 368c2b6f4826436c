import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createParallelGzip } from "./parallel-gzip";

async function compress(data: Buffer, options: Parameters<typeof createParallelGzip>[0]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // Odd-sized writes, so blocks are cut across them.
  const pieces = Array.from({ length: Math.ceil(data.length / 70_001) }, (_, i) =>
    data.subarray(i * 70_001, (i + 1) * 70_001),
  );
  for await (const chunk of Readable.from(pieces).pipe(createParallelGzip(options)))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("gzip on several cores", () => {
  // Text that compresses, with incompressible stretches, across several 64 KiB blocks.
  const data = Buffer.concat(
    Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0 ? randomBytes(50_000) : Buffer.from(`line ${i}\n`.repeat(9000)),
    ),
  );

  it("writes one gzip stream that gunzip, GNU gzip and Python all read back whole", async () => {
    const out = await compress(data, { level: 6, blockSize: 64 * 1024, concurrency: 3 });
    expect(out.length).toBeLessThan(data.length);
    expect(sha(gunzipSync(out))).toBe(sha(data));
    expect(sha(execFileSync("gzip", ["-dc"], { input: out, maxBuffer: 1 << 26 }))).toBe(sha(data));
    const python = execFileSync(
      "python3",
      [
        "-c",
        "import gzip,sys,hashlib; print(hashlib.sha256(gzip.decompress(sys.stdin.buffer.read())).hexdigest())",
      ],
      { input: out },
    );
    expect(python.toString().trim()).toBe(sha(data));
  });

  it("gives the same bytes for the same input, however many cores", async () => {
    const one = await compress(data, { level: 6, blockSize: 64 * 1024, concurrency: 1 });
    const four = await compress(data, { level: 6, blockSize: 64 * 1024, concurrency: 4 });
    expect(sha(four)).toBe(sha(one));
  });

  it("writes a valid empty stream for no input", async () => {
    const out = await compress(Buffer.alloc(0), {});
    expect(gunzipSync(out).length).toBe(0);
  });
});
