import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { envelopeSchema, projectVoSchema, runtimeInfoVoSchema } from "@swhub/shared/starwhale-api";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { listRuntimes } from "../services/runtime-lists";
import { digestOf, makeBundle } from "../test-helpers";
import {
  type CompatTestEnv,
  errorEnvelope,
  listFiles,
  okEnvelope,
  responseOf,
  startCompatEnv,
  uploadVersion,
} from "./test-env";
import {
  makeBoundary,
  readStarwhaleFixture,
  requestsHeaders,
  starwhaleFixtures,
  uploadBody,
  wireRequest,
} from "./wire-client";

// `swcli runtime copy` to and from our server, request by request as spec starwhale-api.md §3.6 and §3.7 record it.
let env: CompatTestEnv;
const demo = starwhaleFixtures.demo;
const yamlfull = starwhaleFixtures.yamlfull;
const demoBytes = readStarwhaleFixture(demo.file);

beforeAll(async () => {
  env = await startCompatEnv();
});
afterAll(() => env.close());

const auth = (headers: Record<string, string> = {}) => ({ authorization: env.token, ...headers });
const json = { "content-type": "application/json" };

function head(runtime: string, version: string) {
  return wireRequest(env.url, `/api/v1/project/${env.pid}/runtime/${runtime}/version/${version}`, {
    method: "HEAD",
    headers: auth(json),
  });
}

function lookupProject() {
  return wireRequest(env.url, "/api/v1/project/demo", {
    headers: auth({ "content-type": "application/json; charset=utf-8" }),
  });
}

async function runtimeNames(): Promise<string[]> {
  return (await listRuntimes(env.t.db, { user: env.admin, project: "demo" })).items.map((r) => r.name);
}

describe("copy to the server (§3.6)", () => {
  it("runs the client's sequence: lookup, HEAD 404, multipart upload creating the runtime, tags, HEAD 200", async () => {
    const lookup = await lookupProject();
    expect(lookup.status).toBe(200);
    expect(envelopeSchema(projectVoSchema).parse(lookup.json()).data.id).toBe(env.pid);

    const before = await head("wiretest", demo.version);
    expect(before.status).toBe(404);
    expect(before.body.length).toBe(0);

    const boundary = makeBoundary();
    const body = uploadBody({
      boundary,
      runtime: `wiretest:${demo.version}`,
      project: env.pid,
      force: "0",
      version: demo.version,
      bundle: demoBytes,
    });
    expect(body.length).toBe(21000); // the recorded Content-Length for this 20480-byte bundle
    const res = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${demo.version}/file`,
      {
        method: "POST",
        headers: auth({ "content-type": `multipart/form-data; boundary=${boundary}` }),
        body,
      },
    );
    expect(res.status).toBe(200);
    const versionId = okEnvelope.parse(res.json()).data;
    expect(versionId).toMatch(/^\d+$/);
    expect(await runtimeNames()).toEqual(["wiretest"]);

    for (const tag of ["t1", "u2"]) {
      const tagged = await wireRequest(
        env.url,
        `/api/v1/project/${env.pid}/runtime/wiretest/version/${demo.version}/tag`,
        { method: "POST", headers: auth(json), body: JSON.stringify({ tag, force: false }) },
      );
      expect(okEnvelope.parse(tagged.json()).code).toBe("success");
    }
    expect((await head("wiretest", demo.version)).status).toBe(200);

    const info = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest?versionName=${demo.version}`,
      { headers: auth() },
    );
    const data = envelopeSchema(runtimeInfoVoSchema).parse(info.json()).data;
    expect(data).toMatchObject({ versionId, versionName: demo.version, versionAlias: "v0" });
    expect(data.versionInfo.tags).toEqual(["t1", "u2"]);
    expect(data.versionInfo.image).toBe("docker-registry.starwhale.cn/star-whale/base:0.3.4");
  });

  it("refuses a second copy without force with 409 JSON, storing none of its bytes; force replaces it", async () => {
    // The same version with different bytes: two more zero blocks keep it a valid tar.
    const padded = Buffer.concat([demoBytes, Buffer.alloc(1024)]);
    const blobsBefore = await listFiles(join(env.blobDir, "sha256"));
    const again = await uploadVersion(env, { runtime: "wiretest", version: demo.version, bundle: padded });
    expect(again.status).toBe(409);
    expect(errorEnvelope.parse(again.json()).message).toBe(
      `Version ${demo.version} of runtime wiretest already exists (copy with -f to replace it)`,
    );
    expect(await env.store.has(digestOf(padded))).toBe(false);
    expect(await listFiles(join(env.blobDir, "sha256"))).toEqual(blobsBefore);
    expect(await listFiles(join(env.blobDir, "uploads"))).toEqual([]);

    const forced = await uploadVersion(env, {
      runtime: "wiretest",
      version: demo.version,
      bundle: padded,
      force: "1",
    });
    expect(forced.status).toBe(200);
    const download = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${demo.version}/file`,
      { headers: auth(json) },
    );
    expect(download.body.equals(padded)).toBe(true);
    // Back to the original bytes for the download test.
    const restored = await uploadVersion(env, {
      runtime: "wiretest",
      version: demo.version,
      bundle: demoBytes,
      force: "1",
    });
    expect(restored.status).toBe(200);
  });

  it("names the runtime after the path, not the runtime field, and creates it on its first version", async () => {
    const bundle = readStarwhaleFixture(yamlfull.file);
    const res = await uploadVersion(env, {
      runtime: "renamed",
      field: "yamlfull",
      version: yamlfull.version,
      bundle,
    });
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
      project: env.pid,
      force: "0",
      version,
      bundle,
    });
    const req = request(`${env.url}/api/v1/project/${env.pid}/runtime/big/version/${version}/file`, {
      method: "POST",
      headers: {
        ...requestsHeaders,
        ...auth({ "content-type": `multipart/form-data; boundary=${boundary}` }),
        "content-length": String(body.length),
      },
    });
    const answer = responseOf(req);
    const part = body.length - 2 * 1024 * 1024;
    req.write(body.subarray(0, part));
    // With 2 MiB still unsent, most of the bundle is already on disk: nothing waited for the whole body.
    let staged = 0;
    for (let i = 0; i < 100 && staged < 5 * 1024 * 1024; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      staged = await stagedBytes();
    }
    expect(staged).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    req.end(body.subarray(part));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await listFiles(join(env.blobDir, "uploads"))).toEqual([]);
    expect(await env.store.has(digestOf(bundle))).toBe(true);
  });
});

describe("copy from the server (§3.7)", () => {
  it("runs the client's sequence: lookup, refine by vN, HEAD 200, download byte for byte, tag list", async () => {
    expect((await lookupProject()).status).toBe(200);
    const refine = await wireRequest(env.url, `/api/v1/project/${env.pid}/runtime/wiretest?versionUrl=v0`, {
      headers: auth(),
    });
    const refined = envelopeSchema(runtimeInfoVoSchema).parse(refine.json()).data;
    expect(refined).toMatchObject({ name: "wiretest", versionName: demo.version });

    expect((await head("wiretest", refined.versionName)).status).toBe(200);

    const version = refined.versionName;
    const res = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${version}/file?runtime=wiretest%3A${version}&project=${env.pid}`,
      { headers: auth(json) },
    );
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="${demo.version}.swrt"`);
    expect(res.headers["content-length"]).toBe(String(demoBytes.length));
    expect(res.body.equals(demoBytes)).toBe(true);

    const tags = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${version}/tag`,
      {
        headers: auth(),
      },
    );
    expect(envelopeSchema(z.array(z.string())).parse(tags.json())).toMatchObject({
      code: "success",
      data: ["t1", "u2"],
    });
  });

  it("answers 404 JSON for a version or runtime that is not there, so the client writes no file", async () => {
    for (const path of [
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${generateVersionId()}/file`,
      `/api/v1/project/${env.pid}/runtime/nosuch/version/${demo.version}/file`,
      `/api/v1/project/nosuch/runtime/wiretest/version/${demo.version}/file`,
    ]) {
      const res = await wireRequest(env.url, path, { headers: auth(json) });
      expect(res.status).toBe(404);
      expect(errorEnvelope.parse(res.json()).code).toBe("NOT_FOUND");
    }
  });
});

async function stagedBytes(): Promise<number> {
  let total = 0;
  for (const file of await listFiles(join(env.blobDir, "uploads"))) {
    total += (await stat(file).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
