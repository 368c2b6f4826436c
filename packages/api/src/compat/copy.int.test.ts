import { randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { envelopeSchema, projectVoSchema, runtimeInfoVoSchema } from "@swhub/shared/starwhale-api";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { BlobStore } from "../blobs/store";
import { serveApi } from "../http/serve";
import { createProject } from "../services/projects";
import { listRuntimes } from "../services/runtime-lists";
import { createUser, type SessionUser } from "../services/users";
import { createTempBlobStore, digestOf, makeBundle } from "../test-helpers";
import {
  makeBoundary,
  readStarwhaleFixture,
  requestsHeaders,
  starwhaleFixtures,
  uploadBody,
  wireRequest,
} from "./wire-client";

// `swcli runtime copy` to and from our server, request by request as spec starwhale-api.md §3.6 and §3.7 record it.
let t: TestDatabase;
let store: BlobStore;
let blobDir: string;
let server: Awaited<ReturnType<typeof serveApi>>;
let admin: SessionUser;
let token: string;
let pid: string;
const demo = starwhaleFixtures.demo;
const yamlfull = starwhaleFixtures.yamlfull;
let demoBytes: Buffer;

const okEnvelope = envelopeSchema(z.unknown()).extend({ code: z.literal("success") });
const errorEnvelope = z.object({
  code: z.string().refine((c) => c !== "success"),
  message: z.string().min(1),
});

beforeAll(async () => {
  t = await createTestDatabase();
  ({ store, dir: blobDir } = createTempBlobStore());
  server = await serveApi({ db: t.db, blobs: store, bodyIdleMs: 1500 });
  admin = await createUser(t.db, { name: "starwhale", password: "abcd1234", isAdmin: true });
  pid = (await createProject(t.db, { name: "demo", ownerId: admin.id })).id;
  const login = await wireRequest(server.url, "/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "userName=starwhale&userPwd=abcd1234",
  });
  token = String(login.headers.authorization);
  demoBytes = readStarwhaleFixture(demo.file);
});
afterAll(async () => {
  await server.close();
  await t.drop();
});

const raw = (headers: Record<string, string> = {}) => ({ authorization: token, ...headers });
const json = { "content-type": "application/json" };

function head(runtime: string, version: string) {
  return wireRequest(server.url, `/api/v1/project/${pid}/runtime/${runtime}/version/${version}`, {
    method: "HEAD",
    headers: raw(json),
  });
}

function upload(input: { path: string; field: string; version: string; bundle: Buffer; force?: "0" | "1" }) {
  const boundary = makeBoundary();
  return wireRequest(
    server.url,
    `/api/v1/project/${pid}/runtime/${input.path}/version/${input.version}/file`,
    {
      method: "POST",
      headers: raw({ "content-type": `multipart/form-data; boundary=${boundary}` }),
      body: uploadBody({
        boundary,
        runtime: `${input.field}:${input.version}`,
        project: pid,
        force: input.force ?? "0",
        version: input.version,
        bundle: input.bundle,
      }),
    },
  );
}

async function runtimeNames(): Promise<string[]> {
  return (await listRuntimes(t.db, { user: admin, project: "demo" })).items.map((r) => r.name);
}

describe("copy to the server (§3.6)", () => {
  it("runs the client's sequence: lookup, HEAD 404, multipart upload creating the runtime, tags, HEAD 200", async () => {
    const lookup = await wireRequest(server.url, "/api/v1/project/demo", {
      headers: raw({ "content-type": "application/json; charset=utf-8" }),
    });
    expect(lookup.status).toBe(200);
    expect(envelopeSchema(projectVoSchema).parse(lookup.json()).data.id).toBe(pid);

    const before = await head("wiretest", demo.version);
    expect(before.status).toBe(404);
    expect(before.body.length).toBe(0);

    const boundary = makeBoundary();
    const body = uploadBody({
      boundary,
      runtime: `wiretest:${demo.version}`,
      project: pid,
      force: "0",
      version: demo.version,
      bundle: demoBytes,
    });
    expect(body.length).toBe(21000); // the recorded Content-Length for this 20480-byte bundle
    const res = await wireRequest(
      server.url,
      `/api/v1/project/${pid}/runtime/wiretest/version/${demo.version}/file`,
      {
        method: "POST",
        headers: raw({ "content-type": `multipart/form-data; boundary=${boundary}` }),
        body,
      },
    );
    expect(res.status).toBe(200);
    const versionId = okEnvelope.parse(res.json()).data;
    expect(versionId).toMatch(/^\d+$/);
    expect(await runtimeNames()).toEqual(["wiretest"]);

    for (const tag of ["t1", "u2"]) {
      const tagged = await wireRequest(
        server.url,
        `/api/v1/project/${pid}/runtime/wiretest/version/${demo.version}/tag`,
        { method: "POST", headers: raw(json), body: JSON.stringify({ tag, force: false }) },
      );
      expect(okEnvelope.parse(tagged.json()).code).toBe("success");
    }
    expect((await head("wiretest", demo.version)).status).toBe(200);

    const info = await wireRequest(
      server.url,
      `/api/v1/project/${pid}/runtime/wiretest?versionName=${demo.version}`,
      { headers: raw() },
    );
    const data = envelopeSchema(runtimeInfoVoSchema).parse(info.json()).data;
    expect(data).toMatchObject({ versionId, versionName: demo.version, versionAlias: "v0" });
    expect(data.versionInfo.tags).toEqual(["t1", "u2"]);
    expect(data.versionInfo.image).toBe("docker-registry.starwhale.cn/star-whale/base:0.3.4");
  });

  it("refuses a second copy without force with 409 JSON, storing none of its bytes; force replaces it", async () => {
    // The same version with different bytes: two more zero blocks keep it a valid tar.
    const padded = Buffer.concat([demoBytes, Buffer.alloc(1024)]);
    const blobsBefore = await listFiles(join(blobDir, "sha256"));
    const again = await upload({
      path: "wiretest",
      field: "wiretest",
      version: demo.version,
      bundle: padded,
    });
    expect(again.status).toBe(409);
    expect(errorEnvelope.parse(again.json()).message).toBe(
      `Version ${demo.version} of runtime wiretest already exists (copy with -f to replace it)`,
    );
    expect(await store.has(digestOf(padded))).toBe(false);
    expect(await listFiles(join(blobDir, "sha256"))).toEqual(blobsBefore);
    expect(await listFiles(join(blobDir, "uploads"))).toEqual([]);

    const forced = await upload({
      path: "wiretest",
      field: "wiretest",
      version: demo.version,
      bundle: padded,
      force: "1",
    });
    expect(forced.status).toBe(200);
    const download = await wireRequest(
      server.url,
      `/api/v1/project/${pid}/runtime/wiretest/version/${demo.version}/file`,
      { headers: raw(json) },
    );
    expect(download.body.equals(padded)).toBe(true);
    // Back to the original bytes for the download test.
    expect(
      (await upload({ path: "wiretest", field: "x", version: demo.version, bundle: demoBytes, force: "1" }))
        .status,
    ).toBe(200);
  });

  it("names the runtime after the path, not the runtime field, and creates it on its first version", async () => {
    const bundle = readStarwhaleFixture(yamlfull.file);
    const res = await upload({ path: "renamed", field: "yamlfull", version: yamlfull.version, bundle });
    expect(res.status).toBe(200);
    expect(await runtimeNames()).toEqual(["renamed", "wiretest"]);
    expect((await head("renamed", yamlfull.version)).status).toBe(200);
    expect((await head("yamlfull", yamlfull.version)).status).toBe(404);
  });

  it("streams the file part to the store while the body is still arriving", async () => {
    const version = generateVersionId();
    const bundle = await makeBundle({ version, files: { "payload.bin": randomBytes(8 * 1024 * 1024) } });
    const boundary = makeBoundary();
    const body = uploadBody({
      boundary,
      runtime: `big:${version}`,
      project: pid,
      force: "0",
      version,
      bundle,
    });
    const req = request(`${server.url}/api/v1/project/${pid}/runtime/big/version/${version}/file`, {
      method: "POST",
      headers: {
        ...requestsHeaders,
        ...raw({ "content-type": `multipart/form-data; boundary=${boundary}` }),
        "content-length": String(body.length),
      },
    });
    const answer = responseOf(req);
    const half = body.length - 2 * 1024 * 1024;
    req.write(body.subarray(0, half));
    // With 2 MiB still unsent, most of the bundle is already on disk: nothing waited for the whole body.
    let staged = 0;
    for (let i = 0; i < 50 && staged < 5 * 1024 * 1024; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      staged = await stagedBytes();
    }
    expect(staged).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    req.end(body.subarray(half));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await listFiles(join(blobDir, "uploads"))).toEqual([]);
    expect(await store.has(digestOf(bundle))).toBe(true);
  });
});

describe("copy from the server (§3.7)", () => {
  it("runs the client's sequence: lookup, refine by vN, HEAD 200, download byte for byte, tag list", async () => {
    const lookup = await wireRequest(server.url, "/api/v1/project/demo", {
      headers: raw({ "content-type": "application/json; charset=utf-8" }),
    });
    expect(lookup.status).toBe(200);
    const refine = await wireRequest(server.url, `/api/v1/project/${pid}/runtime/wiretest?versionUrl=v0`, {
      headers: raw(),
    });
    const refined = envelopeSchema(runtimeInfoVoSchema).parse(refine.json()).data;
    expect(refined).toMatchObject({ name: "wiretest", versionName: demo.version });

    expect((await head("wiretest", refined.versionName)).status).toBe(200);

    const res = await wireRequest(
      server.url,
      `/api/v1/project/${pid}/runtime/wiretest/version/${refined.versionName}/file?runtime=wiretest%3A${refined.versionName}&project=${pid}`,
      { headers: raw(json) },
    );
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="${demo.version}.swrt"`);
    expect(res.headers["content-length"]).toBe(String(demoBytes.length));
    expect(res.body.equals(demoBytes)).toBe(true);

    const tags = await wireRequest(
      server.url,
      `/api/v1/project/${pid}/runtime/wiretest/version/${demo.version}/tag`,
      {
        headers: raw(),
      },
    );
    expect(envelopeSchema(z.array(z.string())).parse(tags.json())).toMatchObject({
      code: "success",
      data: ["t1", "u2"],
    });
  });

  it("answers 404 JSON for a version or runtime that is not there, so the client writes no file", async () => {
    for (const path of [
      `/api/v1/project/${pid}/runtime/wiretest/version/${generateVersionId()}/file`,
      `/api/v1/project/${pid}/runtime/nosuch/version/${demo.version}/file`,
      `/api/v1/project/nosuch/runtime/wiretest/version/${demo.version}/file`,
    ]) {
      const res = await wireRequest(server.url, path, { headers: raw(json) });
      expect(res.status).toBe(404);
      expect(errorEnvelope.parse(res.json()).code).toBe("NOT_FOUND");
    }
  });
});

describe("a bad upload gets one clear 4xx and leaves nothing behind", () => {
  const cases: {
    name: string;
    path?: string;
    version?: () => string;
    bundle: () => Promise<Buffer>;
    error: RegExp;
  }[] = [
    {
      name: "a file that is not a tar",
      bundle: async () => Buffer.from("this is not a tar archive ".repeat(40)),
      error: /^The bundle is not a readable tar archive/,
    },
    {
      name: "a tar without _manifest.yaml",
      bundle: async () => stripManifest(await makeBundle({ version: "x" })),
      error: /^The bundle has no _manifest\.yaml/,
    },
    {
      name: "a manifest that doesn't parse",
      bundle: async () => makeBundle({ manifest: "version: [unclosed\n" }),
      error: /^The bundle's _manifest\.yaml is not valid YAML/,
    },
    {
      name: "a manifest of another version",
      bundle: async () => demoBytes,
      error: new RegExp(`^The bundle's _manifest.yaml is for version ${demo.version}, not `),
    },
    {
      name: "a runtime name that breaks the rules",
      path: "bad%20name",
      bundle: async () => demoBytes,
      error: /^runtime name "bad name" is invalid/,
    },
    {
      name: "a version that is not a version id",
      version: () => "Not-A-Version",
      bundle: async () => demoBytes,
      error: /^"Not-A-Version" is not a valid version id/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const version = c.version?.() ?? generateVersionId();
      const res = await upload({
        path: c.path ?? "broken",
        field: "broken",
        version,
        bundle: await c.bundle(),
      });
      expect(res.status).toBe(400);
      expect(errorEnvelope.parse(res.json()).message).toMatch(c.error);
      expect((await head("broken", version)).status).toBe(404);
      expect(await runtimeNames()).not.toContain("broken");
      expect(await listFiles(join(blobDir, "uploads"))).toEqual([]);
    });
  }

  it("refuses a body that is not multipart, or has no file part", async () => {
    const version = generateVersionId();
    const path = `/api/v1/project/${pid}/runtime/broken/version/${version}/file`;
    const plain = await wireRequest(server.url, path, { method: "POST", headers: raw(json), body: "{}" });
    expect(plain.status).toBe(400);
    expect(errorEnvelope.parse(plain.json()).message).toMatch(/multipart\/form-data/);
    const boundary = makeBoundary();
    const noFile = await wireRequest(server.url, path, {
      method: "POST",
      headers: raw({ "content-type": `multipart/form-data; boundary=${boundary}` }),
      body: `--${boundary}\r\nContent-Disposition: form-data; name="force"\r\n\r\n0\r\n--${boundary}--\r\n`,
    });
    expect(noFile.status).toBe(400);
    expect(errorEnvelope.parse(noFile.json()).message).toMatch(/^The upload has no file part named file/);
  });

  it("answers the client's broken retry (headers, then no body) with 400 once the body stalls", async () => {
    const version = generateVersionId();
    const req = request(`${server.url}/api/v1/project/${pid}/runtime/broken/version/${version}/file`, {
      method: "POST",
      headers: {
        ...requestsHeaders,
        ...raw({ "content-type": `multipart/form-data; boundary=${makeBoundary()}` }),
        "content-length": "21000",
      },
    });
    const started = Date.now();
    const answer = responseOf(req);
    req.flushHeaders();
    const res = await answer;
    req.destroy();
    expect(res.status).toBe(400);
    expect(errorEnvelope.parse(JSON.parse(res.body)).message).toMatch(
      /^The request body stalled: no bytes arrived/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await listFiles(join(blobDir, "uploads"))).toEqual([]);
  });
});

function responseOf(req: ReturnType<typeof request>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.on("data", (part: Buffer) => {
        body += part.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function stagedBytes(): Promise<number> {
  let total = 0;
  for (const file of await listFiles(join(blobDir, "uploads"))) total += (await stat(file)).size;
  return total;
}

/** A tar with its `_manifest.yaml` member renamed, so the archive stays valid but has no manifest. */
function stripManifest(tar: Buffer): Buffer {
  const copy = Buffer.from(tar);
  const at = copy.indexOf("_manifest.yaml");
  copy.write("_manifest.yamX", at);
  // The header checksum covers the name: recompute it (sum of the header with the checksum field as spaces).
  const header = copy.subarray(0, 512);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return copy;
}
