import { envelopeSchema, pageInfoSchema, runtimeVoSchema } from "@swhub/shared/starwhale-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type CompatTestEnv,
  errorEnvelope,
  okEnvelope as ok,
  startCompatEnv,
  uploadVersion,
} from "./test-env";
import { readStarwhaleFixture, starwhaleFixtures, wireRequest } from "./wire-client";

// `runtime tag`, `remove` and `recover` (spec starwhale-api.md §3.11, §3.12), with the client's mangled paths.
let env: CompatTestEnv;
const demo = starwhaleFixtures.demo;
const yamlfull = starwhaleFixtures.yamlfull;
const ids: Record<string, string> = {};

const tagList = envelopeSchema(z.array(z.string())).extend({ code: z.literal("success") });
const runtimePage = envelopeSchema(pageInfoSchema(runtimeVoSchema));

/** A raw (family A) call: `Content-Type: application/json` even without a body, and `Content-Length: 0`. */
function raw(method: string, path: string) {
  return wireRequest(env.url, path, {
    method,
    headers: { authorization: env.token, "content-type": "application/json" },
    body: "",
  });
}

function get(path: string) {
  return wireRequest(env.url, path, { headers: { authorization: env.token } });
}

function addTag(version: string, tag: string, force = false) {
  return wireRequest(env.url, `/api/v1/project/${env.pid}/runtime/wiretest/version/${version}/tag`, {
    method: "POST",
    headers: { authorization: env.token, "content-type": "application/json" },
    body: JSON.stringify({ tag, force }),
  });
}

async function tagsOf(version: string): Promise<string[]> {
  const res = await get(`/api/v1/project/${env.pid}/runtime/wiretest/version/${version}/tag`);
  return tagList.parse(res.json()).data;
}

async function runtimeNames(): Promise<string[]> {
  const res = await get(`/api/v1/project/${env.pid}/runtime?pageNum=1&pageSize=20&latest=False`);
  return runtimePage.parse(res.json()).data.list.map((r) => r.name);
}

function upload(version: string, file: string) {
  return uploadVersion(env, { runtime: "wiretest", version, bundle: readStarwhaleFixture(file) });
}

beforeAll(async () => {
  env = await startCompatEnv();
  ids.v0 = ok.parse((await upload(demo.version, demo.file)).json()).data as string;
  ids.v1 = ok.parse((await upload(yamlfull.version, yamlfull.file)).json()).data as string;
});
afterAll(() => env.close());

describe("runtime tag (§3.11)", () => {
  it("adds tags one request at a time and lists them for the resolved version", async () => {
    for (const tag of ["t1", "t3"])
      expect(ok.parse((await addTag(demo.version, tag)).json()).code).toBe("success");
    expect(ok.parse((await addTag(yamlfull.version, "u2")).json()).code).toBe("success");
    expect(await tagsOf(demo.version)).toEqual(["t1", "t3"]);
    expect(await tagsOf(yamlfull.version)).toEqual(["u2"]);
    // `latest` and `vN` are the server's, never listed as user tags.
    expect(await tagsOf("latest")).toEqual(["u2"]);
  });

  it("moves a tag another version holds only with force", async () => {
    const taken = await addTag(demo.version, "u2");
    expect(taken.status).toBe(409);
    expect(errorEnvelope.parse(taken.json()).message).toMatch(/^Tag "u2" is already on version /);
    expect(await tagsOf(yamlfull.version)).toEqual(["u2"]);

    expect(ok.parse((await addTag(demo.version, "u2", true)).json()).data).toEqual(["t1", "t3", "u2"]);
    expect(await tagsOf(yamlfull.version)).toEqual([]);
    expect(ok.parse((await addTag(yamlfull.version, "u2", true)).json()).data).toEqual(["u2"]);
  });

  it("refuses built-in and malformed tags, and bad bodies, with a JSON message", async () => {
    for (const [tag, message] of [
      ["latest", /^tag "latest" is built in/],
      ["v7", /^tag "v7" is built in/],
      ["no spaces", /^tag "no spaces" is invalid/],
    ] as const) {
      const res = await addTag(demo.version, tag);
      expect(res.status).toBe(400);
      expect(errorEnvelope.parse(res.json()).message).toMatch(message);
    }
    const malformed = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest/version/v0/tag`,
      {
        method: "POST",
        headers: { authorization: env.token, "content-type": "application/json" },
        body: "{nope",
      },
    );
    expect(malformed.status).toBe(400);
    expect(errorEnvelope.parse(malformed.json()).message).toBe("The request body is not valid JSON");
  });

  it("removes a tag from the version that holds it, and says so when it doesn't", async () => {
    const removed = await raw(
      "DELETE",
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${demo.version}/tag/t3`,
    );
    expect(removed.status).toBe(200);
    expect(await tagsOf(demo.version)).toEqual(["t1"]);
    for (const [version, tag] of [
      [demo.version, "t3"],
      [demo.version, "u2"],
    ]) {
      const res = await raw(
        "DELETE",
        `/api/v1/project/${env.pid}/runtime/wiretest/version/${version}/tag/${tag}`,
      );
      expect(res.status).toBe(404);
      expect(errorEnvelope.parse(res.json()).message).toBe(
        `version ${demo.version.slice(0, 12)} of wiretest has no tag "${tag}"`,
      );
    }
  });

  it("names the version a tag points at", async () => {
    const lookup = async (tag: string) => get(`/api/v1/project/${env.pid}/runtime/wiretest/tag/${tag}`);
    expect(ok.parse((await lookup("t1")).json()).data).toBe(ids.v0);
    expect(ok.parse((await lookup("u2")).json()).data).toBe(ids.v1);
    expect(ok.parse((await lookup("latest")).json()).data).toBe(ids.v1);
    expect(ok.parse((await lookup("v0")).json()).data).toBe(ids.v0);
    // A tag is a tag: a version prefix is not looked up here.
    const prefix = await lookup(demo.version.slice(0, 6));
    expect(prefix.status).toBe(404);
    expect(errorEnvelope.parse(prefix.json()).message).toBe(
      `Runtime wiretest has no tag "${demo.version.slice(0, 6)}"`,
    );
  });
});

describe("remove and recover through the client's mangled paths (§3.12)", () => {
  const instance = () => env.url; // http://127.0.0.1:PORT, as the client has it
  const mangled = (suffix = "") =>
    `/api/v1/project/${instance()}/project/${env.pid}/ResourceType.runtime/wiretest${suffix}`;

  it("removes the whole runtime: gone from the list, refine 404, HEAD 404", async () => {
    expect((await get("/api/v1/project/demo")).status).toBe(200);
    expect((await get(`/api/v1/project/${env.pid}/runtime/wiretest?versionUrl=latest`)).status).toBe(200);
    expect(mangled()).toContain("/project/http://127.0.0.1:");

    const res = await raw("DELETE", mangled());
    expect(res.status).toBe(200);
    expect(ok.parse(res.json()).data).toMatchObject({ name: "wiretest", purged: false });

    expect(await runtimeNames()).toEqual([]);
    expect((await get(`/api/v1/project/${env.pid}/runtime/wiretest?versionUrl=latest`)).status).toBe(404);
    const head = await wireRequest(
      env.url,
      `/api/v1/project/${env.pid}/runtime/wiretest/version/${demo.version}`,
      {
        method: "HEAD",
        headers: { authorization: env.token, "content-type": "application/json" },
      },
    );
    expect(head.status).toBe(404);
    expect((await raw("DELETE", mangled())).status).toBe(404);
  });

  it("refuses to copy a removed version in again without force, saying it can be recovered", async () => {
    const res = await upload(demo.version, demo.file);
    expect(res.status).toBe(409);
    expect(errorEnvelope.parse(res.json()).message).toBe(
      `Version ${demo.version} of runtime wiretest already exists (removed) (recover it, or copy with -f to replace it)`,
    );
  });

  it("recovers it with its tags, after a refine that the client lets fail", async () => {
    expect((await get(`/api/v1/project/${env.pid}/runtime/wiretest?versionUrl=latest`)).status).toBe(404);
    const res = await raw("PUT", mangled("/recover"));
    expect(res.status).toBe(200);
    expect(await runtimeNames()).toEqual(["wiretest"]);
    expect(await tagsOf(demo.version)).toEqual(["t1"]);
    expect(await tagsOf("latest")).toEqual(["u2"]);
    const again = await raw("PUT", mangled("/recover"));
    expect(again.status).toBe(404);
    expect(errorEnvelope.parse(again.json()).code).toBe("NOT_FOUND");
  });

  it("takes the intended paths, a folded // and an instance URL with a path prefix alike", async () => {
    const paths = [
      [`/api/v1/project/${env.pid}/runtime/wiretest`, `/api/v1/project/demo/runtime/wiretest/recover`],
      [
        `/api/v1/project/${instance().replace("//", "/")}/project/demo/ResourceType.runtime/wiretest`,
        `/api/v1/project/${instance().replace("//", "/")}/project/demo/ResourceType.runtime/wiretest/recover`,
      ],
      [
        `/api/v1/project/${instance()}/swhub/project/${env.pid}/ResourceType.runtime/wiretest`,
        `/api/v1/project/${instance()}/swhub/project/${env.pid}/ResourceType.runtime/wiretest/recover`,
      ],
    ];
    for (const [remove, recover] of paths) {
      expect([remove, (await raw("DELETE", remove!)).status]).toEqual([remove, 200]);
      expect(await runtimeNames()).toEqual([]);
      expect([recover, (await raw("PUT", recover!)).status]).toEqual([recover, 200]);
      expect(await runtimeNames()).toEqual(["wiretest"]);
    }
  });
});
