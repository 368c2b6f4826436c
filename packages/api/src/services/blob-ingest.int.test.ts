import { randomBytes } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readAll } from "../blobs/store";
import { createTempBlobStore, digestOf } from "../test-helpers";
import { ingestBlob } from "./blob-ingest";
import { createProject } from "./projects";
import { presentBlobs } from "./uploads";
import { createUser } from "./users";

let t: TestDatabase;
let projectId: number;
const { store, dir } = createTempBlobStore();

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await createUser(t.db, { name: "alice", password: "password-a" });
  projectId = Number((await createProject(t.db, { name: "demo", ownerId: user.id })).id);
});
afterAll(() => t.drop());

async function* pieces(bytes: Buffer, size: number, failAfter?: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    if (failAfter !== undefined && at >= failAfter) throw new Error("the client went away");
    yield bytes.subarray(at, at + size);
  }
}

it("stores a stream of unknown size under its sha256 and lets the project refer to it", async () => {
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const result = await ingestBlob(t.db, store, { projectId, source: pieces(bytes, 64 * 1024) });
  expect(result).toEqual({ digest: digestOf(bytes), size: bytes.length });
  expect((await readAll(await store.read(result.digest))).equals(bytes)).toBe(true);
  expect(await presentBlobs(t.db, projectId, [result.digest])).toEqual(new Set([result.digest]));
  expect(await readdir(join(dir, "uploads"))).toEqual([]);
});

it("keeps nothing when the stream fails part way", async () => {
  const bytes = randomBytes(2 * 1024 * 1024);
  await expect(
    ingestBlob(t.db, store, { projectId, source: pieces(bytes, 64 * 1024, 1024 * 1024) }),
  ).rejects.toThrow("the client went away");
  expect(await store.has(digestOf(bytes))).toBe(false);
  expect(await presentBlobs(t.db, projectId, [digestOf(bytes)])).toEqual(new Set());
  expect(await readdir(join(dir, "uploads"))).toEqual([]);
});

it("stores bytes it already has once: the blob stays readable and the staged copy goes away", async () => {
  const bytes = randomBytes(1024 * 1024 + 5);
  const first = await ingestBlob(t.db, store, { projectId, source: pieces(bytes, 64 * 1024) });
  const again = await ingestBlob(t.db, store, { projectId, source: pieces(bytes, 64 * 1024) });
  expect(again).toEqual(first);
  expect(await readdir(join(dir, "uploads"))).toEqual([]);
  expect((await readAll(await store.read(first.digest))).equals(bytes)).toBe(true);
  // The duplicate is deleted in the background, soon after.
  for (let i = 0; i < 100 && (await readdir(join(dir, "discarded"))).length > 0; i++) await sleep(10);
  expect(await readdir(join(dir, "discarded"))).toEqual([]);
});

it("lists a discarded copy that a stopped process left as a stray upload, and deletes it", async () => {
  await mkdir(join(dir, "discarded"), { recursive: true });
  await writeFile(join(dir, "discarded", "left-behind-by-a-crash"), "bytes");
  const listed: string[] = [];
  for await (const upload of store.listUploads()) listed.push(upload.uploadId);
  expect(listed).toContain("left-behind-by-a-crash");
  await store.deleteUpload("left-behind-by-a-crash");
  expect(await readdir(join(dir, "discarded"))).toEqual([]);
});
