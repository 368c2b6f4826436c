import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createApiToken } from "@swhub/api/services/api-tokens";
import { createProject } from "@swhub/api/services/projects";
import { createUser } from "@swhub/api/services/users";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { blobPaths, UPLOAD_OFFSET_HEADER, type UploadState } from "@swhub/shared/blob-protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeBundle } from "../../e2e/seed";
import { buildConsole } from "./build";
import { findFreePort, waitFor } from "./net";

// The web app's production server (apps/web/server.ts) as `pnpm start` runs it, on a built console: Next for pages
// and most routes, the blob protocol on Node's own request and response.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const MiB = 1024 * 1024;

let t: TestDatabase;
let dataDir: string;
let base: string;
let web: ChildProcess;
let exited: Promise<number | string>;
let output = "";
let auth: Record<string, string>;

beforeAll(async () => {
  // A no-op when the build is up to date (as for `pnpm start`); a first build takes about a minute.
  await buildConsole(root, () => {});
  t = await createTestDatabase();
  const alice = await createUser(t.db, { name: "alice", password: "password-a" });
  await createProject(t.db, { name: "demo", ownerId: alice.id });
  auth = {
    authorization: `Bearer ${(await createApiToken(t.db, { userId: alice.id, name: "test" })).token}`,
  };
  dataDir = await mkdtemp(join(tmpdir(), "swhub-web-server-"));
  const port = await findFreePort();
  base = `http://127.0.0.1:${port}`;
  web = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: join(root, "apps/web"),
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      DATABASE_URL: t.url,
      REDIS_URL: process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      DATA_DIR: dataDir,
      SW_QUEUE_PREFIX: `swhub-web-server-${port}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  exited = new Promise((done) => web.once("exit", (code, signal) => done(code ?? signal ?? "unknown")));
  web.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  web.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const healthy = await waitFor(
    () =>
      fetch(`${base}/api/health`).then(
        (res) => res.ok,
        () => false,
      ),
    60_000,
    250,
  );
  if (!healthy) throw new Error(`the web server did not become healthy:\n${output}`);
}, 240_000);

afterAll(async () => {
  if (web && web.exitCode === null && web.signalCode === null) {
    web.kill("SIGKILL");
    await exited;
  }
  await t?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function api(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return fetch(`${base}${path}`, { ...init, headers: { ...auth, ...init.headers } });
}

function postJson(path: string, body: unknown, headers: Record<string, string> = auth) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const digestOf = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function startUpload(bytes: Buffer): Promise<UploadState> {
  const res = await postJson(blobPaths.uploads("demo"), { digest: digestOf(bytes), size: bytes.length });
  expect(res.status).toBe(201);
  return (await res.json()) as UploadState;
}

/** Uploads `bytes` with the blob protocol in two PATCHes, the first `split` bytes long, and finishes it. */
async function uploadInTwoChunks(bytes: Buffer, split: number): Promise<unknown> {
  const upload = await startUpload(bytes);
  for (const [start, end] of [
    [0, split - 1],
    [split, bytes.length - 1],
  ] as const) {
    const res = await api(blobPaths.upload("demo", upload.uploadId), {
      method: "PATCH",
      headers: {
        "content-range": `bytes ${start}-${end}/${bytes.length}`,
        "content-type": "application/octet-stream",
      },
      body: bytes.subarray(start, end + 1),
    });
    expect(res.status).toBe(200);
    expect(fromNext(res)).toBe(false);
    expect(res.headers.get(UPLOAD_OFFSET_HEADER)).toBe(String(end + 1));
  }
  const finished = await api(blobPaths.finish("demo", upload.uploadId), { method: "POST" });
  expect(finished.status).toBe(200);
  return finished.json();
}

/** Next marks every response it renders as varying by its router headers; the blob handler's answers don't. */
const fromNext = (res: Response) => /\brsc\b/.test(res.headers.get("vary") ?? "");

describe("the web app's server", () => {
  it("hands pages and the other API routes to Next", async () => {
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    expect(fromNext(health)).toBe(true);

    const page = await fetch(`${base}/`, { redirect: "manual" });
    expect(page.status).toBe(307);
    expect(fromNext(page)).toBe(true);
  });

  it("answers the blob protocol itself: upload in chunks, finish, download with Range", async () => {
    const anonymous = await postJson(blobPaths.missing("demo"), { digests: [] }, {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: "unauthenticated", message: "Sign in first" } });
    expect(fromNext(anonymous)).toBe(false);

    // A large blob in two chunks, then a runtime bundle that is committed (through Next's tRPC) and downloaded.
    const large = randomBytes(3 * MiB);
    expect(await uploadInTwoChunks(large, 2 * MiB)).toEqual({ digest: digestOf(large), size: large.length });
    const missing = await postJson(blobPaths.missing("demo"), { digests: [digestOf(large)] });
    expect(await missing.json()).toEqual({ missing: [] });

    const { version, bytes: bundle } = runtimeBundle("served", {
      python: "3.11",
      packages: ["numpy==2.0.0"],
    });
    const digest = digestOf(bundle);
    await uploadInTwoChunks(bundle, 1024);
    const commit = await postJson("/api/trpc/runtime.commit", {
      json: { project: "demo", name: "served", bundleDigest: digest },
    });
    expect(commit.status).toBe(200);
    expect(fromNext(commit)).toBe(true);
    expect(await commit.text()).toContain(version);

    const whole = await api(blobPaths.blob("demo", digest));
    expect(whole.status).toBe(200);
    expect(fromNext(whole)).toBe(false);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bundle)).toBe(true);
    const part = await api(blobPaths.blob("demo", digest), { headers: { range: "bytes=1000-1999" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${bundle.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bundle.subarray(1000, 2000))).toBe(true);
    // Into the blob store under DATA_DIR, as the web app's env says.
    expect(existsSync(join(dataDir, "blobs"))).toBe(true);
  });

  it("on SIGTERM stops listening, finishes the chunk in flight, then exits 0", async () => {
    const bytes = randomBytes(2 * MiB);
    const upload = await startUpload(bytes);
    const url = new URL(`${base}${blobPaths.upload("demo", upload.uploadId)}`);
    const req = httpRequest(url, {
      method: "PATCH",
      headers: {
        ...auth,
        "content-range": `bytes 0-${bytes.length - 1}/${bytes.length}`,
        "content-type": "application/octet-stream",
        "content-length": String(bytes.length),
      },
    });
    const answered = once(req, "response") as Promise<[import("node:http").IncomingMessage]>;
    req.write(bytes.subarray(0, MiB));
    await new Promise((done) => setTimeout(done, 300));

    web.kill("SIGTERM");
    // New connections are refused once the server has stopped listening.
    expect(
      await waitFor(
        () =>
          fetch(`${base}/api/health`).then(
            () => false,
            () => true,
          ),
        5_000,
        50,
      ),
    ).toBe(true);

    req.end(bytes.subarray(MiB));
    const [res] = await answered;
    res.resume();
    expect(res.statusCode).toBe(200);
    expect(res.headers[UPLOAD_OFFSET_HEADER.toLowerCase()]).toBe(String(bytes.length));
    expect(await exited).toBe(0);
    expect(output).toContain("web: SIGTERM: stopping");
    expect(output).toContain("web: stopped");
  }, 30_000);
});
