import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import {
  blobPaths,
  MAX_CHUNK_BYTES,
  UPLOAD_OFFSET_HEADER,
  type UploadState,
} from "@swhub/shared/blob-protocol";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../services/api-tokens";
import { createProject } from "../services/projects";
import { createUser } from "../services/users";
import { createTempBlobStore, digestOf, makeBundle } from "../test-helpers";
import { serveApi } from "./serve";

// The blob protocol over real HTTP (a Node server on a free port running the same handlers as the web app).
let t: TestDatabase;
let server: Awaited<ReturnType<typeof serveApi>>;
let auth: Record<string, string>;
const MiB = 1024 * 1024;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await serveApi({ db: t.db, blobs: createTempBlobStore().store });
  const alice = await createUser(t.db, { name: "alice", password: "password-a" });
  await createProject(t.db, { name: "demo", ownerId: alice.id });
  auth = {
    authorization: `Bearer ${(await createApiToken(t.db, { userId: alice.id, name: "test" })).token}`,
  };
});
afterAll(async () => {
  await server.close();
  await t.drop();
});

function api(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return fetch(`${server.url}${path}`, { ...init, headers: { ...auth, ...init.headers } });
}

function postJson(path: string, body: unknown) {
  return api(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function trpc(procedure: string, input: unknown) {
  const res = await postJson(`/api/trpc/${procedure}`, { json: input });
  const body = (await res.json()) as {
    result?: { data: { json: unknown } };
    error?: { json: { message: string } };
  };
  return { status: res.status, data: body.result?.data.json, error: body.error?.json.message };
}

async function startUpload(bytes: Buffer): Promise<UploadState> {
  const res = await postJson(blobPaths.uploads("demo"), { digest: digestOf(bytes), size: bytes.length });
  expect(res.status).toBe(201);
  return (await res.json()) as UploadState;
}

function sendChunk(
  uploadId: string,
  bytes: Buffer,
  start: number,
  end: number,
  total: number | "*" = bytes.length,
) {
  return api(blobPaths.upload("demo", uploadId), {
    method: "PATCH",
    headers: {
      "content-range": `bytes ${start}-${end}/${total}`,
      "content-type": "application/octet-stream",
    },
    body: bytes.subarray(start, end + 1),
  });
}

/** Sends the first `sent` bytes of a chunk, then drops the connection, as a client killed halfway would. */
async function sendChunkAndDie(uploadId: string, bytes: Buffer, start: number, end: number, sent: number) {
  const url = new URL(`${server.url}${blobPaths.upload("demo", uploadId)}`);
  await new Promise<void>((resolve) => {
    const req = httpRequest(url, {
      method: "PATCH",
      headers: {
        ...auth,
        "content-range": `bytes ${start}-${end}/${bytes.length}`,
        "content-length": end - start + 1,
      },
    });
    req.on("error", () => resolve());
    req.write(bytes.subarray(start, start + sent), () => {
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
  });
}

async function offsetOf(uploadId: string): Promise<number> {
  const res = await api(blobPaths.upload("demo", uploadId));
  expect(res.status).toBe(200);
  const state = (await res.json()) as UploadState;
  expect(res.headers.get(UPLOAD_OFFSET_HEADER)).toBe(String(state.offset));
  return state.offset;
}

describe("upload, resume, commit and download over HTTP", () => {
  const version = generateVersionId();
  let bundle: Buffer;
  let digest: string;

  beforeAll(async () => {
    bundle = await makeBundle({ version, files: { "payload.bin": randomBytes(3 * MiB) } });
    digest = digestOf(bundle);
  });

  it("uploads in chunks, survives an interruption, resumes from the reported offset, and commits", async () => {
    const missing = await postJson(blobPaths.missing("demo"), { digests: [digest] });
    expect(await missing.json()).toEqual({ missing: [digest] });

    const upload = await startUpload(bundle);
    expect(upload).toMatchObject({ status: "uploading", offset: 0, size: bundle.length, digest });

    const first = await sendChunk(upload.uploadId, bundle, 0, MiB - 1);
    expect(first.status).toBe(200);
    expect(first.headers.get(UPLOAD_OFFSET_HEADER)).toBe(String(MiB));

    // The client dies 300 KiB into the second chunk: what arrived is kept.
    await sendChunkAndDie(upload.uploadId, bundle, MiB, 2 * MiB - 1, 300 * 1024);
    let offset = await offsetOf(upload.uploadId);
    for (let i = 0; i < 20 && offset === MiB; i++) {
      await new Promise((r) => setTimeout(r, 50));
      offset = await offsetOf(upload.uploadId);
    }
    expect(offset).toBe(MiB + 300 * 1024);

    // A chunk that doesn't start at the offset is refused with the offset to continue at.
    const wrong = await sendChunk(upload.uploadId, bundle, MiB, 2 * MiB - 1);
    expect(wrong.status).toBe(416);
    expect(wrong.headers.get(UPLOAD_OFFSET_HEADER)).toBe(String(offset));

    // Resume: only what is missing is sent.
    let resent = 0;
    while (offset < bundle.length) {
      const end = Math.min(offset + MiB, bundle.length) - 1;
      const res = await sendChunk(upload.uploadId, bundle, offset, end);
      expect(res.status).toBe(200);
      resent += end - offset + 1;
      offset = Number(res.headers.get(UPLOAD_OFFSET_HEADER));
    }
    expect(resent).toBe(bundle.length - MiB - 300 * 1024);

    const finished = await api(blobPaths.finish("demo", upload.uploadId), { method: "POST" });
    expect(finished.status).toBe(200);
    expect(await finished.json()).toEqual({ digest, size: bundle.length });
    expect(await (await postJson(blobPaths.missing("demo"), { digests: [digest] })).json()).toEqual({
      missing: [],
    });

    const commit = await trpc("runtime.commit", { project: "demo", name: "big", bundleDigest: digest });
    expect(commit).toMatchObject({ status: 200, data: { version, alias: "v0", created: true } });
  });

  it("refuses a second commit without force and replaces the version with it", async () => {
    const again = await trpc("runtime.commit", { project: "demo", name: "big", bundleDigest: digest });
    expect(again.status).toBe(409);
    expect(again.error).toBe(`Version ${version} of runtime big already exists`);
    const forced = await trpc("runtime.commit", {
      project: "demo",
      name: "big",
      bundleDigest: digest,
      force: true,
    });
    expect(forced).toMatchObject({ status: 200, data: { version, alias: "v0", created: false } });
  });

  it("sends nothing for a blob the project has: a new upload answers that it exists", async () => {
    const res = await postJson(blobPaths.uploads("demo"), { digest, size: bundle.length });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "exists", digest, size: bundle.length });
  });

  it("downloads the bundle byte for byte, whole and by range", async () => {
    const whole = await api(blobPaths.blob("demo", digest));
    expect(whole.status).toBe(200);
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await whole.arrayBuffer()).equals(bundle)).toBe(true);

    const part = await api(blobPaths.blob("demo", digest), { headers: { range: "bytes=1000-1999" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${bundle.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bundle.subarray(1000, 2000))).toBe(true);

    const tail = await api(blobPaths.blob("demo", digest), { headers: { range: "bytes=-10" } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bundle.subarray(bundle.length - 10))).toBe(true);

    const open = await api(blobPaths.blob("demo", digest), {
      headers: { range: `bytes=${bundle.length - 5}-` },
    });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(bundle.subarray(bundle.length - 5))).toBe(true);

    const beyond = await api(blobPaths.blob("demo", digest), {
      headers: { range: `bytes=${bundle.length}-` },
    });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${bundle.length}`);

    const head = await api(blobPaths.blob("demo", digest), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bundle.length));
  });
});

describe("bad input gets a clear 4xx, never a 500", () => {
  it("refuses chunks that are too big, past the declared size, or with a bad Content-Range", async () => {
    const bytes = randomBytes(1000);
    const upload = await startUpload(bytes);
    const patch = (headers: Record<string, string>, body: Uint8Array = bytes.subarray(0, 10)) =>
      api(blobPaths.upload("demo", upload.uploadId), { method: "PATCH", headers, body });

    const tooBig = await patch({ "content-range": `bytes 0-${MAX_CHUNK_BYTES}/*` });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(
      /at most 67108864 bytes/,
    );

    expect((await patch({ "content-range": "bytes 0-1000/*" })).status).toBe(400);
    expect((await patch({ "content-range": "bytes 0-9/2000" })).status).toBe(400);
    expect((await patch({ "content-range": "bytes=0-9" })).status).toBe(400);
    expect((await patch({})).status).toBe(400);
    const mismatch = await patch({ "content-range": "bytes 0-19/1000" });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { error: { message: string } }).error.message).toBe(
      "Content-Length is 10, but Content-Range spans 20 bytes",
    );

    // A streamed (chunked) body longer than its range: the whole chunk is rolled back.
    const longer = await api(blobPaths.upload("demo", upload.uploadId), {
      method: "PATCH",
      headers: { "content-range": "bytes 0-9/1000" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes.subarray(0, 64));
          controller.close();
        },
      }),
      // Node's fetch streams a request body only with duplex "half".
      duplex: "half",
    });
    expect(longer.status).toBe(400);
    expect(await offsetOf(upload.uploadId)).toBe(0);

    const finishEarly = await api(blobPaths.finish("demo", upload.uploadId), { method: "POST" });
    expect(finishEarly.status).toBe(400);
  });

  it("refuses a wrong digest at finish and discards the upload", async () => {
    const bytes = randomBytes(2000);
    const claimed = digestOf(randomBytes(10));
    const res = await postJson(blobPaths.uploads("demo"), { digest: claimed, size: bytes.length });
    const upload = (await res.json()) as UploadState;
    expect((await sendChunk(upload.uploadId, bytes, 0, bytes.length - 1)).status).toBe(200);
    const finished = await api(blobPaths.finish("demo", upload.uploadId), { method: "POST" });
    expect(finished.status).toBe(400);
    expect(((await finished.json()) as { error: { message: string } }).error.message).toBe(
      `The uploaded bytes have digest ${digestOf(bytes)}, not the declared ${claimed}; the upload was discarded`,
    );
    expect((await api(blobPaths.upload("demo", upload.uploadId))).status).toBe(404);
    expect(
      await (await postJson(blobPaths.missing("demo"), { digests: [claimed, digestOf(bytes)] })).json(),
    ).toEqual({
      missing: [claimed, digestOf(bytes)],
    });
  });

  it("answers malformed JSON, bad fields, unknown uploads, bad digests and unknown routes with 4xx", async () => {
    const malformed = await api(blobPaths.uploads("demo"), { method: "POST", body: "{nope" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: { code: "invalid_input", message: "The request body is not valid JSON" },
    });
    expect((await postJson(blobPaths.uploads("demo"), { digest: "md5:x", size: -1 })).status).toBe(400);
    expect((await postJson(blobPaths.missing("demo"), { digests: "x" })).status).toBe(400);
    expect((await api(blobPaths.upload("demo", "no-such-upload-id"))).status).toBe(404);
    expect((await api(blobPaths.finish("demo", "no-such-upload-id"), { method: "POST" })).status).toBe(404);
    expect((await api(blobPaths.blob("demo", "sha256:nothex"))).status).toBe(404);
    expect((await api(blobPaths.blob("demo", digestOf(Buffer.from("never uploaded"))))).status).toBe(404);
    expect((await api("/api/projects/demo/nothing")).status).toBe(404);
    expect((await api(blobPaths.missing("demo"))).status).toBe(405);
    expect(
      (await postJson(blobPaths.uploads("nosuchproject"), { digest: digestOf(Buffer.from("x")), size: 1 }))
        .status,
    ).toBe(404);
  });

  it("answers a bundle that is not a tar with 400 at commit", async () => {
    const junk = Buffer.from("this is not a tar archive ".repeat(40));
    const upload = await startUpload(junk);
    await sendChunk(upload.uploadId, junk, 0, junk.length - 1);
    await api(blobPaths.finish("demo", upload.uploadId), { method: "POST" });
    const commit = await trpc("runtime.commit", {
      project: "demo",
      name: "junk",
      bundleDigest: digestOf(junk),
    });
    expect(commit.status).toBe(400);
    expect(commit.error).toMatch(/^The bundle is not a readable tar archive/);
  });

  it("answers malformed tRPC input with 400", async () => {
    const res = await api("/api/trpc/runtime.commit", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect((await trpc("runtime.commit", { project: "demo" })).status).toBe(400);
  });
});
