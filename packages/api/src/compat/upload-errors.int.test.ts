import { request } from "node:http";
import { join } from "node:path";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRuntimes } from "../services/runtime-lists";
import { makeBundle } from "../test-helpers";
import {
  type CompatTestEnv,
  errorEnvelope,
  listFiles,
  responseOf,
  startCompatEnv,
  uploadVersion,
} from "./test-env";
import {
  makeBoundary,
  readStarwhaleFixture,
  requestsHeaders,
  starwhaleFixtures,
  wireRequest,
} from "./wire-client";

// A bad upload (spec starwhale-api.md §3.6, §5) gets one clear 4xx, which the client does not retry, and leaves nothing.
let env: CompatTestEnv;
const demo = starwhaleFixtures.demo;
const demoBytes = readStarwhaleFixture(demo.file);
const idleMs = 1500;

beforeAll(async () => {
  env = await startCompatEnv({ bodyIdleMs: idleMs });
});
afterAll(() => env.close());

async function expectNothingLeft(version: string): Promise<void> {
  const head = await wireRequest(env.url, `/api/v1/project/${env.pid}/runtime/broken/version/${version}`, {
    method: "HEAD",
    headers: { authorization: env.token },
  });
  expect(head.status).toBe(404);
  const names = (await listRuntimes(env.t.db, { user: env.admin, project: "demo" })).items.map((r) => r.name);
  expect(names).not.toContain("broken");
  expect(await listFiles(join(env.blobDir, "uploads"))).toEqual([]);
}

/** A tar with its `_manifest.yaml` member renamed, so the archive stays valid but has no manifest. */
function stripManifest(tar: Buffer): Buffer {
  const copy = Buffer.from(tar);
  copy.write("_manifest.yamX", copy.indexOf("_manifest.yaml"));
  // The header checksum covers the name: the sum of the header's bytes with the checksum field as spaces.
  const header = copy.subarray(0, 512);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return copy;
}

describe("bundles and names that are refused", () => {
  const cases: {
    name: string;
    runtime?: string;
    version?: string;
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
      runtime: "bad%20name",
      bundle: async () => demoBytes,
      error: /^runtime name "bad name" is invalid/,
    },
    {
      name: "a version that is not a version id",
      version: "Not-A-Version",
      bundle: async () => demoBytes,
      error: /^"Not-A-Version" is not a valid version id/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const version = c.version ?? generateVersionId();
      const res = await uploadVersion(env, {
        runtime: c.runtime ?? "broken",
        version,
        bundle: await c.bundle(),
      });
      expect(res.status).toBe(400);
      expect(errorEnvelope.parse(res.json()).message).toMatch(c.error);
      await expectNothingLeft(version);
    });
  }
});

describe("bodies that are refused", () => {
  it("refuses a body that is not multipart, or has no file part", async () => {
    const version = generateVersionId();
    const path = `/api/v1/project/${env.pid}/runtime/broken/version/${version}/file`;
    const plain = await wireRequest(env.url, path, {
      method: "POST",
      headers: { authorization: env.token, "content-type": "application/json" },
      body: "{}",
    });
    expect(plain.status).toBe(400);
    expect(errorEnvelope.parse(plain.json()).message).toMatch(/multipart\/form-data/);
    const boundary = makeBoundary();
    const noFile = await wireRequest(env.url, path, {
      method: "POST",
      headers: { authorization: env.token, "content-type": `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="force"\r\n\r\n0\r\n--${boundary}--\r\n`,
    });
    expect(noFile.status).toBe(400);
    expect(errorEnvelope.parse(noFile.json()).message).toMatch(/^The upload has no file part named file/);
    await expectNothingLeft(version);
  });

  it("answers the client's broken retry (headers, then no body) with 400 once the body stalls", async () => {
    const version = generateVersionId();
    const req = request(`${env.url}/api/v1/project/${env.pid}/runtime/broken/version/${version}/file`, {
      method: "POST",
      headers: {
        ...requestsHeaders,
        authorization: env.token,
        "content-type": `multipart/form-data; boundary=${makeBoundary()}`,
        "content-length": "21000",
      },
    });
    const started = Date.now();
    const answer = responseOf(req);
    req.flushHeaders();
    const res = await answer;
    req.destroy();
    expect(res.status).toBe(400);
    expect(errorEnvelope.parse(JSON.parse(res.body)).message).toBe(
      `The request body stalled: no bytes arrived for ${idleMs / 1000} s (send the request again)`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(idleMs - 50);
    expect(Date.now() - started).toBeLessThan(idleMs + 3000);
    await expectNothingLeft(version);
  });

  it("drops what arrived of a bundle whose body stalls halfway", async () => {
    const version = generateVersionId();
    const boundary = makeBoundary();
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${version}.swrt"\r\nContent-Type: text/plain\r\n\r\n`;
    const req = request(`${env.url}/api/v1/project/${env.pid}/runtime/broken/version/${version}/file`, {
      method: "POST",
      headers: {
        ...requestsHeaders,
        authorization: env.token,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.length + demoBytes.length + 100),
      },
    });
    const answer = responseOf(req);
    req.write(Buffer.concat([Buffer.from(head), demoBytes.subarray(0, 10_000)]));
    const res = await answer;
    req.destroy();
    expect(res.status).toBe(400);
    expect(errorEnvelope.parse(JSON.parse(res.body)).message).toMatch(/^The request body stalled/);
    await expectNothingLeft(version);
  });
});
