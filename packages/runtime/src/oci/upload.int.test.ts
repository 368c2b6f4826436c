import { randomBytes } from "node:crypto";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../testing/fault-proxy";
import { startRegistry, type TestRegistry } from "../testing/registry";
import { sha256Digest } from "./digest";
import { type BlobSource, createRegistryClient, type RegistryClient } from "./registry";

const MiB = 1024 * 1024;

function blobOf(bytes: Buffer): BlobSource {
  return {
    digest: sha256Digest(bytes),
    size: bytes.length,
    open: (start, end) => Readable.from([bytes.subarray(start, end)]),
  };
}

async function download(client: RegistryClient, repository: string, blob: BlobSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await client.openBlob(repository, blob)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Requests the registry itself logged for one repository's blob uploads, by method. */
function uploadRequests(registry: TestRegistry, repository: string, since = 0) {
  const mine = registry
    .requests()
    .slice(since)
    .filter((r) => r.uri.startsWith(`/v2/${repository}/blobs/uploads/`));
  const count = (method: string) => mine.filter((r) => r.method === method).length;
  return { POST: count("POST"), PATCH: count("PATCH"), PUT: count("PUT"), GET: count("GET"), all: mine };
}

describe("blob uploads against a real registry", () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    // Relative upload Locations, as some registries answer: the client must resolve them.
    registry = await startRegistry({ relativeUrls: true });
    client = createRegistryClient({ registry: registry.host, insecure: true });
  });
  afterAll(async () => {
    await client.close();
    await registry.stop();
  });

  it("sends a small blob in one PUT", async () => {
    const blob = blobOf(randomBytes(200 * 1024));
    await client.uploadBlob("up/small", blob);
    expect(uploadRequests(registry, "up/small")).toMatchObject({ POST: 1, PATCH: 0, PUT: 1 });
    expect(await client.hasBlob("up/small", blob.digest)).toBe(true);
  });

  it("sends a big blob in Content-Range chunks and reads it back verified", async () => {
    const bytes = randomBytes(3 * MiB + 12345);
    const blob = blobOf(bytes);
    await client.uploadBlob("up/big", blob, { monolithicLimit: MiB, chunkSize: MiB });
    expect(uploadRequests(registry, "up/big")).toMatchObject({ POST: 1, PATCH: 4, PUT: 1 });
    expect((await download(client, "up/big", blob)).equals(bytes)).toBe(true);
  });

  it("mounts a blob from another repository instead of uploading it", async () => {
    const blob = blobOf(randomBytes(64 * 1024));
    await client.uploadBlob("up/mount-from", blob);
    expect(await client.mountBlob("up/mount-to", blob.digest, "up/mount-from")).toBe(true);
    expect(uploadRequests(registry, "up/mount-to")).toMatchObject({ POST: 1, PATCH: 0, PUT: 0 });
    expect(await client.hasBlob("up/mount-to", blob.digest)).toBe(true);
    // A blob the source lacks cannot be mounted: the caller learns so and uploads.
    expect(await client.mountBlob("up/mount-to", sha256Digest("absent"), "up/mount-from")).toBe(false);
  });

  it("fails a download whose bytes do not match the digest", async () => {
    const bytes = randomBytes(100 * 1024);
    const blob = blobOf(bytes);
    await client.uploadBlob("up/corrupt", blob);
    // Corrupt the stored bytes on the registry's disk.
    const hex = blob.digest.slice(7);
    const dir = join(registry.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex);
    expect(await readdir(dir)).toContain("data");
    await writeFile(join(dir, "data"), randomBytes(bytes.length));
    await expect(download(client, "up/corrupt", blob)).rejects.toThrow(/digest mismatch/);
  });
});

describe("recovering from a failed chunk", () => {
  let registry: TestRegistry;
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry.stop();
  });

  it("resumes from the offset the registry reports when a chunk never arrived", async () => {
    let patches = 0;
    proxy = await startFaultProxy(registry.url, (req) =>
      req.method === "PATCH" && ++patches === 2 ? "drop" : "pass",
    );
    const client = createRegistryClient({ registry: proxy.host, insecure: true });
    const bytes = randomBytes(4 * MiB);
    const blob = blobOf(bytes);
    await client.uploadBlob("retry/resume", blob, { monolithicLimit: MiB, chunkSize: MiB });
    // One session (no restart), four chunks stored, and a status GET in between.
    expect(uploadRequests(registry, "retry/resume")).toMatchObject({ POST: 1, PATCH: 4, GET: 1, PUT: 1 });
    expect(proxy.seen.filter((r) => r.method === "PATCH").map((r) => r.fault)).toEqual([
      "pass",
      "drop",
      "pass",
      "pass",
      "pass",
    ]);
    expect((await download(client, "retry/resume", blob)).equals(bytes)).toBe(true);
    await client.close();
    await proxy.stop();
    proxy = undefined;
  });

  it("starts a new session when the registry dropped the one a chunk broke", async () => {
    let patches = 0;
    proxy = await startFaultProxy(registry.url, (req) =>
      req.method === "PATCH" && ++patches === 2 ? "cut-halfway" : "pass",
    );
    const client = createRegistryClient({ registry: proxy.host, insecure: true });
    const bytes = randomBytes(3 * MiB);
    const blob = blobOf(bytes);
    await client.uploadBlob("retry/restart", blob, { monolithicLimit: MiB, chunkSize: MiB });
    expect(uploadRequests(registry, "retry/restart").POST).toBe(2);
    expect((await download(client, "retry/restart", blob)).equals(bytes)).toBe(true);
    await client.close();
  });

  it("gives up with one clear line when the registry keeps failing", async () => {
    await proxy?.stop();
    proxy = await startFaultProxy(registry.url, (req) => (req.method === "PATCH" ? "drop" : "pass"));
    const client = createRegistryClient({ registry: proxy.host, insecure: true });
    const blob = blobOf(randomBytes(2 * MiB));
    const error = await client
      .uploadBlob("retry/broken", blob, { monolithicLimit: MiB, chunkSize: MiB, maxRetries: 2 })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(new RegExp(`^cannot reach ${proxy.host}: `));
    expect(error?.message).not.toContain("\n");
    await client.close();
  });
});
