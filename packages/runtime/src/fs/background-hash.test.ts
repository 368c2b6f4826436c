import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backgroundSha256, inlineSha256 } from "./background-hash";

const bytes = Buffer.from(Array.from({ length: (5 << 20) + 77 }, (_, i) => (i * 31) % 256));
const expected = createHash("sha256").update(bytes).digest("hex");

/**
 * Feeds `bytes` in uneven batches of two uneven pieces, read into two scratch buffers that are overwritten as soon
 * as `update` returns, as a socket reader reusing its memory would.
 */
function feed(hash: ReturnType<typeof backgroundSha256>) {
  const scratch = [Buffer.alloc(64_000), Buffer.alloc(64_000)];
  for (let at = 0; at < bytes.length; ) {
    const pieces: Uint8Array[] = [];
    for (const buffer of scratch) {
      const size = Math.min(bytes.length - at, 1000 + ((at * 13) % 60_000));
      if (size === 0) break;
      bytes.copy(buffer, 0, at, at + size);
      pieces.push(buffer.subarray(0, size));
      at += size;
    }
    hash.update(pieces);
    for (const buffer of scratch) buffer.fill(0xee);
  }
}

describe.each([
  ["on a worker thread", backgroundSha256],
  ["inline", inlineSha256],
])("a sha256 fed in pieces, %s", (_, make) => {
  it("equals the hash of the whole", async () => {
    const hash = make();
    feed(hash);
    expect(await hash.digest()).toBe(expected);
  });

  it("hashes nothing as the empty string's hash", async () => {
    const hash = make();
    hash.update([]);
    hash.update([new Uint8Array(0)]);
    expect(await hash.digest()).toBe(createHash("sha256").digest("hex"));
  });

  it("stops without a digest", () => {
    const hash = make();
    hash.update([bytes.subarray(0, 10)]);
    expect(() => hash.stop()).not.toThrow();
  });
});

it("keeps the caller's pieces intact (the copy moves, not the piece)", () => {
  const piece = Buffer.from("still here");
  const hash = backgroundSha256();
  hash.update([piece]);
  hash.stop();
  expect(piece.toString()).toBe("still here");
});
