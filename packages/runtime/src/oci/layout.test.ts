import { mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobPath, hasLayoutBlob, initLayout, pruneLayout, writeBlob } from "./layout";

const hour = 3_600_000;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "swhub-layout-"));
  await initLayout(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

let made = 0;
/** A blob of `size` bytes (each one different), last used `hoursAgo` hours ago. */
async function blob(size: number, hoursAgo: number): Promise<string> {
  const { digest } = await writeBlob(dir, Buffer.alloc(size, ++made));
  const when = new Date(Date.now() - hoursAgo * hour);
  await utimes(blobPath(dir, digest), when, when);
  return digest;
}

const present = async () => (await readdir(join(dir, "blobs", "sha256"))).length;

describe("pruneLayout", () => {
  it("deletes the least recently used blobs until the rest fit", async () => {
    const oldest = await blob(1000, 5);
    const older = await blob(1000, 4);
    const newer = await blob(1000, 3);
    const report = await pruneLayout(dir, { maxBytes: 2000, keepUsedWithinMs: hour });
    expect(report).toEqual({ removed: 1, freedBytes: 1000, keptBytes: 2000 });
    expect(await hasLayoutBlob(dir, oldest)).toBe(false);
    expect(await hasLayoutBlob(dir, older)).toBe(true);
    expect(await hasLayoutBlob(dir, newer)).toBe(true);
  });

  it("keeps what was used within the window, even over the limit, and leaves a layout within it alone", async () => {
    await blob(1000, 0);
    await blob(1000, 0.5);
    expect(await pruneLayout(dir, { maxBytes: 0, keepUsedWithinMs: hour })).toMatchObject({ removed: 0 });
    await blob(1000, 2);
    expect(await pruneLayout(dir, { maxBytes: 10_000, keepUsedWithinMs: hour })).toMatchObject({
      removed: 0,
    });
    expect(await present()).toBe(3);
  });

  it("counts finding a blob, or writing it again, as a use", async () => {
    const looked = await blob(1000, 5);
    const rewritten = await blob(1000, 4);
    const untouched = await blob(1000, 3);
    expect(await hasLayoutBlob(dir, looked)).toBe(true);
    await writeBlob(dir, Buffer.alloc(1000, made - 1));
    expect((await stat(blobPath(dir, rewritten))).mtimeMs).toBeGreaterThan(Date.now() - hour);
    await pruneLayout(dir, { maxBytes: 2000, keepUsedWithinMs: hour });
    expect(await hasLayoutBlob(dir, untouched)).toBe(false);
    expect(await present()).toBe(2);
  });

  it("removes partial blobs a killed run left, whatever the size, but not one being written now", async () => {
    const partials = join(dir, "blobs", "sha256");
    await writeFile(join(partials, ".tmp-killed"), "partial");
    await writeFile(join(partials, `${"a".repeat(64)}.0123abcd.tmp`), "partial");
    await writeFile(join(partials, ".tmp-running"), "partial");
    const when = new Date(Date.now() - 2 * hour);
    await utimes(join(partials, ".tmp-killed"), when, when);
    await utimes(join(partials, `${"a".repeat(64)}.0123abcd.tmp`), when, when);
    await pruneLayout(dir, { maxBytes: 10_000, keepUsedWithinMs: hour });
    expect((await readdir(partials)).sort()).toEqual([".tmp-running"]);
  });

  it("does nothing to a directory without blobs", async () => {
    const empty = await mkdtemp(join(tmpdir(), "swhub-layout-empty-"));
    expect(await pruneLayout(empty, { maxBytes: 0, keepUsedWithinMs: 0 })).toEqual({
      removed: 0,
      freedBytes: 0,
      keptBytes: 0,
    });
    await rm(empty, { recursive: true });
  });
});
