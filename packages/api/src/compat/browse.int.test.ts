import {
  envelopeSchema,
  pageInfoSchema,
  projectVoSchema,
  runtimeInfoVoSchema,
  runtimeVersionVoSchema,
  runtimeVoSchema,
} from "@swhub/shared/starwhale-api";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { addMember } from "../services/members";
import { createProject, updateProject } from "../services/projects";
import { addTags } from "../services/runtime-tags";
import { createUser } from "../services/users";
import { makeBundle } from "../test-helpers";
import {
  type CompatTestEnv,
  errorEnvelope,
  loginAs,
  okEnvelope,
  startCompatEnv,
  uploadVersion,
} from "./test-env";
import { readStarwhaleFixture, starwhaleFixtures, wireRequest } from "./wire-client";

// `project list|info`, `runtime list|info|history` and the refine step, as spec starwhale-api.md §2, §3.3-§3.10 record them.
let env: CompatTestEnv;
let pid: string;
const tokens: Record<string, string> = {};
const demo = starwhaleFixtures.demo;
const yamlfull = starwhaleFixtures.yamlfull;
const alphaVersion = generateVersionId();
const versionIds: Record<string, string> = {};

const projectPage = envelopeSchema(pageInfoSchema(projectVoSchema));
const runtimePage = envelopeSchema(pageInfoSchema(runtimeVoSchema));
const versionPage = envelopeSchema(pageInfoSchema(runtimeVersionVoSchema));
const info = envelopeSchema(runtimeInfoVoSchema);

async function upload(as: string, runtime: string, version: string, bundle: Buffer): Promise<string> {
  const res = await uploadVersion(env, { runtime, version, bundle, token: tokens[as] });
  expect(res.status).toBe(200);
  return okEnvelope.parse(res.json()).data as string;
}

/** A typed (family B) GET: no Content-Type, the stored token. */
function get(path: string, as: string | null = "starwhale") {
  return wireRequest(env.url, path, { headers: as ? { authorization: tokens[as]! } : {} });
}

beforeAll(async () => {
  env = await startCompatEnv();
  pid = env.pid;
  const { admin } = env;
  const bob = await createUser(env.t.db, { name: "bob", password: "password-b" });
  await updateProject(env.t.db, { user: admin, project: "demo", description: "the demo" });
  await createProject(env.t.db, { name: "open", ownerId: bob.id, isPublic: true });
  await createProject(env.t.db, { name: "secret", ownerId: bob.id });
  await addMember(env.t.db, { user: admin, project: "demo", userName: "bob", role: "maintainer" });
  tokens.starwhale = env.token;
  tokens.bob = await loginAs(env.url, "bob", "password-b");
  versionIds.v0 = await upload("starwhale", "wiretest", demo.version, readStarwhaleFixture(demo.file));
  versionIds.v1 = await upload(
    "starwhale",
    "wiretest",
    yamlfull.version,
    readStarwhaleFixture(yamlfull.file),
  );
  versionIds.alpha = await upload("bob", "alpha", alphaVersion, await makeBundle({ version: alphaVersion }));
  await addTags(env.t.db, {
    user: admin,
    project: "demo",
    name: "wiretest",
    version: "v0",
    tags: ["t1", "t3"],
  });
  await addTags(env.t.db, { user: admin, project: "demo", name: "wiretest", version: "v1", tags: ["u2"] });
});
afterAll(() => env.close());

const near = (ms: number) => Math.abs(ms - Date.now()) < 120_000;

describe("projects (§3.3, §3.4, §2.1)", () => {
  it("lists the projects the caller can see as a PageInfo with total and size", async () => {
    const res = await get("/api/v1/project?pageNum=1&pageSize=20");
    const page = projectPage.parse(res.json()).data;
    expect(page.list.map((p) => [p.name, p.privacy, p.owner.name])).toEqual([
      ["demo", "PRIVATE", "starwhale"],
      ["open", "PUBLIC", "bob"],
      ["secret", "PRIVATE", "bob"],
    ]);
    expect(page).toMatchObject({ total: 3, size: 3, pageNum: 1, pageSize: 20, pages: 1 });
    expect(page.list.every((p) => near(p.createdTime) && near(p.owner.createdTime))).toBe(true);

    const second = projectPage.parse((await get("/api/v1/project?pageNum=2&pageSize=1")).json()).data;
    expect(second).toMatchObject({
      total: 3,
      size: 1,
      pageNum: 2,
      pageSize: 1,
      pages: 3,
      prePage: 1,
      nextPage: 3,
      hasPreviousPage: true,
      hasNextPage: true,
      startRow: 2,
      endRow: 2,
      navigatepageNums: [1, 2, 3],
    });
    expect(second.list.map((p) => p.name)).toEqual(["open"]);

    const anonymous = projectPage.parse(
      (await get("/api/v1/project?pageNum=1&pageSize=20", null)).json(),
    ).data;
    expect(anonymous.list.map((p) => p.name)).toEqual(["open"]);
  });

  it("looks a project up by name or id, with its statistics", async () => {
    for (const ref of ["demo", pid]) {
      const res = await wireRequest(env.url, `/api/v1/project/${ref}`, {
        headers: { authorization: tokens.starwhale!, "content-type": "application/json; charset=utf-8" },
      });
      expect(res.status).toBe(200);
      const project = envelopeSchema(projectVoSchema).parse(res.json()).data;
      expect(project).toMatchObject({ id: pid, name: "demo", privacy: "PRIVATE", description: "the demo" });
      expect(project.statistics).toEqual({
        modelCounts: 0,
        datasetCounts: 0,
        runtimeCounts: 2,
        memberCounts: 2,
        evaluationCounts: 0,
      });
    }
  });

  it("answers 404 JSON for a project that is missing or private to someone else", async () => {
    const missing = await get("/api/v1/project/nosuch");
    expect(missing.status).toBe(404);
    expect(errorEnvelope.parse(missing.json()).message).toMatch(/^Project "nosuch" not found/);
    const hidden = await get("/api/v1/project/demo", null);
    expect(hidden.status).toBe(404);
  });
});

describe("runtime list (§3.8)", () => {
  it("answers one RuntimeVo per runtime with its newest version", async () => {
    const res = await get(`/api/v1/project/${pid}/runtime?pageNum=1&pageSize=20&latest=False`);
    const page = runtimePage.parse(res.json()).data;
    expect(page).toMatchObject({ total: 2, size: 2 });
    const [alpha, wiretest] = page.list;
    expect(wiretest).toMatchObject({
      name: "wiretest",
      owner: { name: "starwhale" },
      version: {
        id: versionIds.v1,
        name: yamlfull.version,
        alias: "v1",
        latest: true,
        tags: ["u2"],
        shared: false,
        owner: { name: "starwhale" },
      },
    });
    expect(wiretest!.version.runtimeId).toBe(wiretest!.id);
    expect(near(wiretest!.createdTime) && near(wiretest!.version.createdTime)).toBe(true);
    expect(alpha).toMatchObject({
      name: "alpha",
      owner: { name: "bob" },
      version: { name: alphaVersion, alias: "v0" },
    });
  });

  it("honours the client's filters and paging, and takes the project by name or id", async () => {
    const query = "name=wire&version=abc&owner=starwhale&latest=True";
    const first = runtimePage.parse(
      (await get(`/api/v1/project/demo/runtime?pageNum=1&pageSize=5&${query}`)).json(),
    );
    expect(first.data.list.map((r) => r.name)).toEqual(["wiretest"]);
    const second = runtimePage.parse(
      (await get(`/api/v1/project/${pid}/runtime?pageNum=2&pageSize=5&${query}`)).json(),
    );
    expect(second.data).toMatchObject({ total: 1, size: 0, list: [], pageNum: 2, hasNextPage: false });
    const bobs = runtimePage.parse(
      (await get(`/api/v1/project/${pid}/runtime?owner=bob&latest=False`)).json(),
    );
    expect(bobs.data.list.map((r) => r.name)).toEqual(["alpha"]);
  });

  it("refuses paging that is not a number with a 400 envelope", async () => {
    const res = await get(`/api/v1/project/${pid}/runtime?pageNum=x&pageSize=20&latest=False`);
    expect(res.status).toBe(400);
    expect(errorEnvelope.parse(res.json()).message).toBe('pageNum must be a whole number from 1 up, not "x"');
  });
});

describe("refine and info (§2.2, §3.9)", () => {
  const refine = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    return info.parse(res.json()).data;
  };

  it("resolves versionUrl from a full name, latest, vN, a tag, a numeric id or a prefix", async () => {
    const forms: [string, string][] = [
      [demo.version, demo.version],
      ["latest", yamlfull.version],
      ["v0", demo.version],
      ["v1", yamlfull.version],
      ["t3", demo.version],
      ["u2", yamlfull.version],
      [versionIds.v0!, demo.version],
      [demo.version.slice(0, 5), demo.version],
      ["", yamlfull.version],
    ];
    for (const [ref, version] of forms) {
      const data = await refine(`/api/v1/project/${pid}/runtime/wiretest?versionUrl=${ref}`);
      expect([ref, data.name, data.versionName]).toEqual([ref, "wiretest", version]);
    }
    const byRuntimeId = await refine(
      `/api/v1/project/demo/runtime/${(await refine(`/api/v1/project/${pid}/runtime/wiretest`)).id}`,
    );
    expect(byRuntimeId.name).toBe("wiretest");
  });

  it("answers 404 JSON for a version or runtime it can't resolve, which the client tolerates", async () => {
    for (const path of [
      `/api/v1/project/${pid}/runtime/wiretest?versionUrl=nosuchtag`,
      `/api/v1/project/${pid}/runtime/wiretest?versionUrl=${generateVersionId()}`,
      `/api/v1/project/${pid}/runtime/nosuch?versionUrl=latest`,
    ]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(errorEnvelope.parse(res.json()).code).toBe("NOT_FOUND");
    }
  });

  it("shows the version asked for with versionName, with every RuntimeInfoVo field", async () => {
    const data = await refine(`/api/v1/project/${pid}/runtime/wiretest?versionName=${demo.version}`);
    expect(data).toMatchObject({
      name: "wiretest",
      versionId: versionIds.v0,
      versionName: demo.version,
      versionAlias: "v0",
      shared: false,
      versionInfo: { id: versionIds.v0, name: demo.version, alias: "v0", latest: false, tags: ["t1", "t3"] },
    });
    expect(near(data.createdTime)).toBe(true);
    // The manifest is the bundle's `_manifest.yaml`, as YAML text.
    expect(parseYaml(data.manifest)).toMatchObject({
      version: demo.version,
      build: { os: "Linux", sw_version: "0.6.15" },
      environment: { mode: "venv", python: "3.11" },
    });
    expect(data.versionMeta).toBe(data.manifest);
  });
});

describe("history (§3.10)", () => {
  it("pages the versions newest first with every pager field, by project name as typed", async () => {
    const res = await wireRequest(
      env.url,
      "/api/v1/project/demo/runtime/wiretest/version?pageNum=1&pageSize=20",
      {
        headers: { authorization: tokens.starwhale!, "content-type": "application/json" },
      },
    );
    expect(res.status).toBe(200);
    const page = versionPage.parse(res.json()).data;
    expect(page).toMatchObject({
      total: 2,
      size: 2,
      pageNum: 1,
      pageSize: 20,
      pages: 1,
      prePage: 0,
      nextPage: 0,
      hasPreviousPage: false,
      hasNextPage: false,
    });
    expect(page.list.map((v) => [v.id, v.name, v.alias, v.latest, v.tags])).toEqual([
      [versionIds.v1, yamlfull.version, "v1", true, ["u2"]],
      [versionIds.v0, demo.version, "v0", false, ["t1", "t3"]],
    ]);

    const paged = versionPage.parse(
      (await get(`/api/v1/project/${pid}/runtime/wiretest/version?pageNum=2&pageSize=1`)).json(),
    );
    expect(paged.data).toMatchObject({
      total: 2,
      size: 1,
      pages: 2,
      prePage: 1,
      nextPage: 0,
      isLastPage: true,
    });
    expect(paged.data.list.map((v) => v.name)).toEqual([demo.version]);
  });

  it("answers 404 JSON for a runtime that does not exist", async () => {
    const res = await get(`/api/v1/project/${pid}/runtime/nosuch/version?pageNum=1&pageSize=20`);
    expect(res.status).toBe(404);
    expect(errorEnvelope.parse(res.json()).message).toMatch(/^No runtime named "nosuch"/);
  });
});
