import { randomBytes } from "node:crypto";
import { apiTokens } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { blobPaths } from "@swhub/shared/blob-protocol";
import { generateVersionId } from "@swhub/shared/version-id";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "./blobs/store";
import { compatRoutes } from "./compat/routes";
import { makeBoundary, uploadBody, wireRequest } from "./compat/wire-client";
import { blobRoutes } from "./http/blob-routes";
import { serveApi } from "./http/serve";
import { createJobEventBus } from "./job-bus";
import { createEnqueuer, createRedis } from "./queue";
import { appRouter } from "./root";
import { createApiToken, revokeApiToken } from "./services/api-tokens";
import { cancelJob, type JobDeps, submitBuild } from "./services/jobs";
import { addMember } from "./services/members";
import { createProject } from "./services/projects";
import { commitVersion, recordVersion } from "./services/runtime-commit";
import { createSession } from "./services/sessions";
import { appendUploadChunk } from "./services/upload-chunks";
import { createUpload } from "./services/uploads";
import { createUser, type SessionUser } from "./services/users";
import { callAs, createTempBlobStore, digestOf, makeBundle, uploadBytes } from "./test-helpers";

/*
 * Who may do what: every tRPC procedure and every blob route, for anonymous callers, signed-in non-members,
 * guests, maintainers, owners and admins, on a private project (and reads and writes on a public one). Every
 * denial and every allowance is asserted. A procedure or route without a row fails the test.
 */
const actors = ["anonymous", "nonMember", "guest", "maintainer", "owner", "admin"] as const;
type ActorName = (typeof actors)[number];
type Outcome = "ok" | "not_found" | "forbidden" | "unauthenticated";
type Expectation = Record<ActorName, Outcome>;

const row = (a: Outcome, n: Outcome, g: Outcome, m: Outcome, o: Outcome, ad: Outcome): Expectation => ({
  anonymous: a,
  nonMember: n,
  guest: g,
  maintainer: m,
  owner: o,
  admin: ad,
});
const anyone = row("ok", "ok", "ok", "ok", "ok", "ok");
const signedIn = row("unauthenticated", "ok", "ok", "ok", "ok", "ok");
const adminOnly = row("unauthenticated", "forbidden", "forbidden", "forbidden", "forbidden", "ok");
const read = row("not_found", "not_found", "ok", "ok", "ok", "ok");
const write = row("unauthenticated", "not_found", "forbidden", "ok", "ok", "ok");
const own = row("unauthenticated", "not_found", "forbidden", "forbidden", "ok", "ok");
const readPublic = anyone;
const writePublic = row("unauthenticated", "forbidden", "forbidden", "ok", "ok", "ok");
const ownPublic = row("unauthenticated", "forbidden", "forbidden", "forbidden", "ok", "ok");

let t: TestDatabase;
let store: BlobStore;
// Jobs are queued on the shared Redis under a prefix of this run's own; no worker takes them.
const jobQueuePrefix = `swhub-matrix-${randomBytes(4).toString("hex")}`;
const jobRedis = createRedis(process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379", "worker");
const jobs: JobDeps = {
  enqueuer: createEnqueuer(jobRedis, jobQueuePrefix),
  bus: createJobEventBus({
    url: process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    prefix: jobQueuePrefix,
  }),
};
let server: Awaited<ReturnType<typeof serveApi>>;
const users = {} as Record<Exclude<ActorName, "anonymous">, SessionUser>;
const cookies = {} as Record<ActorName, Record<string, string>>;
const bearers = {} as Record<ActorName, Record<string, string>>;
let worldCount = 0;

/** A fresh project with its members, a runtime `rt` (v0 tagged t1, v1 latest, v2 removed) and a pending upload. */
interface World {
  project: string;
  projectId: string;
  digest: string;
  removedVersion: string;
  /** A blob uploaded to the project but not committed yet. */
  spareDigest: string;
  /** A queued build job. */
  jobId: string;
}

async function makeWorld(isPublic: boolean): Promise<World> {
  const project = `p${++worldCount}`;
  const { id } = await createProject(t.db, { name: project, ownerId: users.owner.id, isPublic });
  await addMember(t.db, { user: users.owner, project, userName: users.maintainer.name, role: "maintainer" });
  await addMember(t.db, { user: users.owner, project, userName: users.guest.name, role: "guest" });
  const first = generateVersionId();
  const bundle = await makeBundle({ version: first });
  const digest = digestOf(bundle);
  await uploadBytes(t.db, store, users.owner, project, bundle);
  await commitVersion(t.db, store, {
    user: users.owner,
    project,
    name: "rt",
    bundleDigest: digest,
    tags: ["t1"],
  });
  // Two more versions of the same bytes, recorded directly: cheaper than uploading and reading two more bundles.
  const versions = [first, generateVersionId(), generateVersionId()];
  for (const version of versions.slice(1)) {
    await recordVersion(t.db, {
      projectId: Number(id),
      projectName: project,
      name: "rt",
      userId: Number(users.owner.id),
      content: {
        version,
        manifest: { version },
        bundleDigest: digest,
        bundleSize: bundle.length,
        files: [],
        runtimeYaml: null,
        lockFiles: {},
      },
      tags: [],
      force: false,
    });
  }
  const { caller } = await callAs(t.db, cookies.owner, store);
  await caller.runtime.remove({ project, name: "rt", version: versions[2] });
  const spare = await makeBundle({ version: generateVersionId() });
  await uploadBytes(t.db, store, users.owner, project, spare);
  const { job } = await submitBuild(t.db, jobs, {
    user: users.owner,
    project,
    runtimeName: "rt",
    source: { kind: "yaml", contextDigest: digestOf(spare), yamlPath: "runtime.yaml" },
    tags: [],
    disableEnvLock: false,
    requestId: `world-${worldCount}`,
  });
  return {
    project,
    projectId: id,
    digest,
    removedVersion: versions[2]!,
    spareDigest: digestOf(spare),
    jobId: job.id,
  };
}

type Caller = Awaited<ReturnType<typeof callAs>>["caller"];
interface ProcedureRow {
  expect: Expectation;
  /** Also run on a public project, with these expectations. */
  publicExpect?: Expectation;
  /** Changes state: each actor gets a fresh world. */
  mutates?: boolean;
  run(caller: Caller, w: World, actor: ActorName): Promise<unknown>;
}

const procedures: Record<string, ProcedureRow> = {
  "auth.me": { expect: anyone, run: (c) => c.auth.me() },
  "auth.signIn": { expect: anyone, run: (c) => c.auth.signIn({ name: "owner", password: "password-owner" }) },
  // With a session of its own, so the actor's shared one stays signed in.
  "auth.signOut": { expect: anyone, run: async (_c, _w, actor) => (await freshCaller(actor)).auth.signOut() },
  "token.create": { expect: signedIn, run: (c) => c.token.create({ name: "ci" }) },
  "token.list": { expect: signedIn, run: (c) => c.token.list() },
  "token.revoke": {
    expect: signedIn,
    mutates: true,
    run: async (c, _w, actor) => {
      const owner = actor === "anonymous" ? users.owner : users[actor];
      const token = await createApiToken(t.db, { userId: owner.id, name: "to-revoke" });
      return c.token.revoke({ id: token.id });
    },
  },
  "user.create": {
    expect: adminOnly,
    run: (c) => c.user.create({ name: `u${randomBytes(4).toString("hex")}`, password: "password-x" }),
  },
  "project.list": { expect: anyone, run: (c) => c.project.list() },
  "project.create": {
    expect: signedIn,
    run: (c) => c.project.create({ name: `new${randomBytes(4).toString("hex")}` }),
  },
  "project.get": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.project.get({ project: w.project }),
  },
  "project.update": {
    expect: own,
    publicExpect: ownPublic,
    mutates: true,
    run: (c, w) => c.project.update({ project: w.project, description: "changed" }),
  },
  "project.remove": {
    expect: own,
    publicExpect: ownPublic,
    mutates: true,
    run: (c, w) => c.project.remove({ project: w.project }),
  },
  "member.list": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.member.list({ project: w.project }),
  },
  "member.add": {
    expect: own,
    publicExpect: ownPublic,
    mutates: true,
    run: (c, w) => c.member.add({ project: w.project, userName: "extra", role: "guest" }),
  },
  "member.setRole": {
    expect: own,
    mutates: true,
    run: (c, w) => c.member.setRole({ project: w.project, userName: "guest", role: "maintainer" }),
  },
  "member.remove": {
    expect: own,
    mutates: true,
    run: (c, w) => c.member.remove({ project: w.project, userName: "guest" }),
  },
  "runtime.commit": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    run: (c, w) => c.runtime.commit({ project: w.project, name: "rt", bundleDigest: w.spareDigest }),
  },
  "runtime.resolve": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.resolve({ project: w.project, name: "rt", version: "t1" }),
  },
  "runtime.info": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.info({ project: w.project, name: "rt" }),
  },
  "runtime.files": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.files({ project: w.project, name: "rt" }),
  },
  "runtime.history": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.history({ project: w.project, name: "rt" }),
  },
  "runtime.listVersions": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.listVersions({ project: w.project }),
  },
  "runtime.list": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.list({ project: w.project }),
  },
  "runtime.tags": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.tags({ project: w.project, name: "rt" }),
  },
  "runtime.diff": {
    expect: read,
    publicExpect: readPublic,
    run: (c, w) => c.runtime.diff({ project: w.project, name: "rt", from: "v0", to: "latest" }),
  },
  "runtime.tagAdd": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    run: (c, w) => c.runtime.tagAdd({ project: w.project, name: "rt", version: "v0", tags: ["added"] }),
  },
  "runtime.tagRemove": {
    expect: write,
    mutates: true,
    run: (c, w) => c.runtime.tagRemove({ project: w.project, name: "rt", tags: ["t1"] }),
  },
  "runtime.remove": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    run: (c, w) => c.runtime.remove({ project: w.project, name: "rt", version: "v0" }),
  },
  "runtime.recover": {
    expect: own,
    publicExpect: ownPublic,
    mutates: true,
    run: (c, w) => c.runtime.recover({ project: w.project, name: "rt", version: w.removedVersion }),
  },
  "runtime.copy": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    run: (c, w) =>
      c.runtime.copy({
        from: { project: w.project, name: "rt" },
        to: { project: w.project, name: "rt-copy" },
      }),
  },
  "blob.gc": { expect: adminOnly, run: (c) => c.blob.gc({ olderThanSeconds: 3600, dryRun: true }) },
  "job.submitBuild": {
    expect: write,
    publicExpect: writePublic,
    run: (c, w) =>
      c.job.submitBuild({
        project: w.project,
        runtimeName: "rt",
        source: { kind: "yaml", contextDigest: w.spareDigest },
        requestId: randomBytes(6).toString("hex"),
      }),
  },
  "job.submitDockerize": {
    expect: write,
    publicExpect: writePublic,
    run: (c, w) =>
      c.job.submitDockerize({
        project: w.project,
        runtimeName: "rt",
        version: "latest",
        requestId: randomBytes(6).toString("hex"),
      }),
  },
  "job.list": { expect: read, publicExpect: readPublic, run: (c, w) => c.job.list({ project: w.project }) },
  "job.get": { expect: read, publicExpect: readPublic, run: (c, w) => c.job.get({ job: w.jobId }) },
  "job.events": {
    expect: read,
    publicExpect: readPublic,
    run: async (c, w) => {
      // The first event (queued) is enough to know the stream was opened.
      for await (const _ of (await c.job.events({ job: w.jobId })) as AsyncIterable<unknown>) break;
    },
  },
  "job.cancel": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    run: (c, w) => c.job.cancel({ job: w.jobId }),
  },
  "job.retry": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    run: async (c, w) => {
      await cancelJob(t.db, jobs, { user: users.owner, job: w.jobId }).catch(() => {});
      return c.job.retry({ job: w.jobId });
    },
  },
};

async function freshCaller(actor: ActorName): Promise<Caller> {
  if (actor === "anonymous") return (await callAs(t.db, {}, store, jobs)).caller;
  const { token } = await createSession(t.db, { userId: users[actor].id });
  return (await callAs(t.db, { cookie: `sw_session=${token}` }, store)).caller;
}

const trpcOutcome: Record<string, Outcome> = {
  NOT_FOUND: "not_found",
  FORBIDDEN: "forbidden",
  UNAUTHORIZED: "unauthenticated",
};

async function outcomeOf(run: () => Promise<unknown>): Promise<Outcome | string> {
  try {
    await run();
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return trpcOutcome[error.code] ?? `${error.code}: ${error.message}`;
    throw error;
  }
}

interface RouteRow {
  expect: Expectation;
  publicExpect?: Expectation;
  /** Returns the request to send for this actor (after any set-up it needs). */
  request(w: World, actor: ActorName): Promise<{ path: string; init?: RequestInit }>;
}

const small = randomBytes(64);

/** An upload for the actor to act on: their own when they may upload, else the owner's. */
async function uploadFor(w: World, actor: ActorName, fill: boolean): Promise<string> {
  const canWrite = actor === "maintainer" || actor === "owner" || actor === "admin";
  const user = canWrite ? users[actor] : users.owner;
  const bytes = randomBytes(64);
  const created = await createUpload(t.db, store, {
    user,
    project: w.project,
    digest: digestOf(bytes),
    size: bytes.length,
  });
  if (created.status !== "uploading") throw new Error("expected a new upload");
  if (fill) {
    await appendUploadChunk(t.db, store, {
      user,
      project: w.project,
      uploadId: created.uploadId,
      range: { start: 0, end: bytes.length - 1 },
      body: (async function* () {
        yield bytes;
      })(),
    });
  }
  return created.uploadId;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

const routes: Record<string, RouteRow> = {
  "POST /api/projects/{project}/blobs/missing": {
    expect: write,
    publicExpect: writePublic,
    request: async (w) => ({ path: blobPaths.missing(w.project), init: json({ digests: [w.digest] }) }),
  },
  "GET /api/projects/{project}/blobs/:digest": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: blobPaths.blob(w.project, w.digest) }),
  },
  "HEAD /api/projects/{project}/blobs/:digest": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: blobPaths.blob(w.project, w.digest), init: { method: "HEAD" } }),
  },
  "POST /api/projects/{project}/uploads": {
    expect: write,
    publicExpect: writePublic,
    request: async (w) => ({
      path: blobPaths.uploads(w.project),
      init: json({ digest: digestOf(randomBytes(8)), size: 8 }),
    }),
  },
  "GET /api/projects/{project}/uploads/:id": {
    expect: write,
    request: async (w, a) => ({ path: blobPaths.upload(w.project, await uploadFor(w, a, false)) }),
  },
  "HEAD /api/projects/{project}/uploads/:id": {
    expect: write,
    request: async (w, a) => ({
      path: blobPaths.upload(w.project, await uploadFor(w, a, false)),
      init: { method: "HEAD" },
    }),
  },
  "PATCH /api/projects/{project}/uploads/:id": {
    expect: write,
    publicExpect: writePublic,
    request: async (w, a) => ({
      path: blobPaths.upload(w.project, await uploadFor(w, a, false)),
      init: { method: "PATCH", headers: { "content-range": "bytes 0-63/64" }, body: small },
    }),
  },
  "DELETE /api/projects/{project}/uploads/:id": {
    expect: write,
    request: async (w, a) => ({
      path: blobPaths.upload(w.project, await uploadFor(w, a, false)),
      init: { method: "DELETE" },
    }),
  },
  "POST /api/projects/{project}/uploads/:id/finish": {
    expect: write,
    request: async (w, a) => ({
      path: blobPaths.finish(w.project, await uploadFor(w, a, true)),
      init: { method: "POST" },
    }),
  },
};

function httpOutcome(status: number): Outcome | string {
  if (status >= 200 && status < 300) return "ok";
  return (
    ({ 404: "not_found", 403: "forbidden", 401: "unauthenticated" } as Record<number, Outcome>)[status] ??
    `HTTP ${status}`
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  store = createTempBlobStore().store;
  server = await serveApi({ db: t.db, blobs: store });
  for (const actor of actors) {
    if (actor === "anonymous") continue;
    users[actor] = await createUser(t.db, {
      name: actor,
      password: `password-${actor}`,
      isAdmin: actor === "admin",
    });
  }
  await createUser(t.db, { name: "extra", password: "password-extra" });
  for (const actor of actors) {
    if (actor === "anonymous") {
      cookies[actor] = {};
      bearers[actor] = {};
      continue;
    }
    cookies[actor] = {
      cookie: `sw_session=${(await createSession(t.db, { userId: users[actor].id })).token}`,
    };
    bearers[actor] = {
      authorization: `Bearer ${(await createApiToken(t.db, { userId: users[actor].id, name: "matrix" })).token}`,
    };
  }
});
afterAll(async () => {
  await server.close();
  await jobs.enqueuer.close();
  await jobs.bus.close();
  jobRedis.disconnect();
  await t.drop();
});

describe("access matrix", () => {
  it("has a row for every procedure of the router and every blob route", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    expect(Object.keys(routes).sort()).toEqual(blobRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  for (const visibility of ["private", "public"] as const) {
    it(`gives every actor exactly its rights on every procedure (${visibility} project)`, async () => {
      const shared = await makeWorld(visibility === "public");
      const results: Record<string, Record<string, string>> = {};
      const expected: Record<string, Record<string, string>> = {};
      for (const [name, r] of Object.entries(procedures)) {
        const want = visibility === "public" ? r.publicExpect : r.expect;
        if (!want) continue;
        expected[name] = want;
        results[name] = {};
        for (const actor of actors) {
          // Only an allowed call changes anything, so only those need a world of their own.
          const w = r.mutates && want[actor] === "ok" ? await makeWorld(visibility === "public") : shared;
          const { caller } = await callAs(t.db, cookies[actor], store, jobs);
          results[name][actor] = await outcomeOf(() => r.run(caller, w, actor));
        }
      }
      expect(results).toEqual(expected);
    });

    it(`gives every actor exactly its rights on every blob route (${visibility} project)`, async () => {
      // Routes change nothing the others read: each call that acts on an upload gets its own.
      const w = await makeWorld(visibility === "public");
      const results: Record<string, Record<string, string>> = {};
      const expected: Record<string, Record<string, string>> = {};
      for (const [name, r] of Object.entries(routes)) {
        const want = visibility === "public" ? r.publicExpect : r.expect;
        if (!want) continue;
        expected[name] = want;
        results[name] = {};
        for (const actor of actors) {
          const { path, init } = await r.request(w, actor);
          const res = await fetch(`${server.url}${path}`, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), ...bearers[actor] },
          });
          await res.arrayBuffer();
          results[name][actor] = httpOutcome(res.status);
        }
      }
      expect(results).toEqual(expected);
    });
  }
});

/*
 * Starwhale's API (`/api/v1`, for Starwhale's own swcli). Requests carry the bare token, as after
 * `swcli instance login --token`. Rows that change state give each allowed actor a world of its own.
 */
const compatRows: Record<string, RouteRow & { mutates?: boolean }> = {
  "POST /api/v1/login": {
    expect: anyone,
    request: async () => ({
      path: "/api/v1/login",
      init: {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "userName=owner&userPwd=password-owner",
      },
    }),
  },
  "GET /api/v1/user/current": { expect: signedIn, request: async () => ({ path: "/api/v1/user/current" }) },
  "GET /api/v1/project": { expect: anyone, request: async () => ({ path: "/api/v1/project?pageNum=1" }) },
  "GET /api/v1/project/:project": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.project}` }),
  },
  "GET /api/v1/project/:project/runtime": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.projectId}/runtime?pageNum=1&latest=False` }),
  },
  "GET /api/v1/project/:project/runtime/:runtime": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.projectId}/runtime/rt?versionUrl=t1` }),
  },
  "DELETE /api/v1/project/:project/runtime/:runtime": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    request: async (w) => ({ path: `/api/v1/project/${w.projectId}/runtime/rt`, init: { method: "DELETE" } }),
  },
  "PUT /api/v1/project/:project/runtime/:runtime/recover": {
    expect: own,
    publicExpect: ownPublic,
    mutates: true,
    request: async (w) => ({
      path: `/api/v1/project/${w.projectId}/runtime/rt/recover`,
      init: { method: "PUT" },
    }),
  },
  "GET /api/v1/project/:project/runtime/:runtime/version": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.project}/runtime/rt/version?pageNum=1&pageSize=20` }),
  },
  "HEAD /api/v1/project/:project/runtime/:runtime/version/:version": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({
      path: `/api/v1/project/${w.projectId}/runtime/rt/version/v0`,
      init: { method: "HEAD" },
    }),
  },
  "POST /api/v1/project/:project/runtime/:runtime/version/:version/file": {
    expect: write,
    publicExpect: writePublic,
    request: async (w, actor) => {
      const version = generateVersionId();
      const boundary = makeBoundary();
      const bundle = await makeBundle({ version });
      return {
        path: `/api/v1/project/${w.projectId}/runtime/rt-${actor}/version/${version}/file`,
        init: {
          method: "POST",
          headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          body: uploadBody({
            boundary,
            runtime: `rt:${version}`,
            project: w.projectId,
            force: "0",
            version,
            bundle,
          }),
        },
      };
    },
  },
  "GET /api/v1/project/:project/runtime/:runtime/version/:version/file": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.projectId}/runtime/rt/version/latest/file` }),
  },
  "GET /api/v1/project/:project/runtime/:runtime/version/:version/tag": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.projectId}/runtime/rt/version/v0/tag` }),
  },
  "POST /api/v1/project/:project/runtime/:runtime/version/:version/tag": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    request: async (w) => ({
      path: `/api/v1/project/${w.projectId}/runtime/rt/version/v0/tag`,
      init: { ...json({ tag: "added", force: false }) },
    }),
  },
  "DELETE /api/v1/project/:project/runtime/:runtime/version/:version/tag/:tag": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    request: async (w) => ({
      path: `/api/v1/project/${w.projectId}/runtime/rt/version/v0/tag/t1`,
      init: { method: "DELETE" },
    }),
  },
  "GET /api/v1/project/:project/runtime/:runtime/tag/:tag": {
    expect: read,
    publicExpect: readPublic,
    request: async (w) => ({ path: `/api/v1/project/${w.projectId}/runtime/rt/tag/t1` }),
  },
  "DELETE /api/v1/project/{instance}/project/:project/ResourceType.runtime/:runtime": {
    expect: write,
    publicExpect: writePublic,
    mutates: true,
    request: async (w) => ({
      path: `/api/v1/project/${server.url}/project/${w.projectId}/ResourceType.runtime/rt`,
      init: { method: "DELETE" },
    }),
  },
  "PUT /api/v1/project/{instance}/project/:project/ResourceType.runtime/:runtime/recover": {
    expect: own,
    publicExpect: ownPublic,
    mutates: true,
    request: async (w) => ({
      path: `/api/v1/project/${server.url}/project/${w.projectId}/ResourceType.runtime/rt/recover`,
      init: { method: "PUT" },
    }),
  },
};

describe("access matrix of Starwhale's API (/api/v1)", () => {
  it("has a row for every route, the client's mangled paths included", () => {
    expect(Object.keys(compatRows).sort()).toEqual(compatRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  for (const visibility of ["private", "public"] as const) {
    it(`gives every actor exactly its rights on every route (${visibility} project)`, async () => {
      const shared = await makeWorld(visibility === "public");
      const results: Record<string, Record<string, string>> = {};
      const expected: Record<string, Record<string, string>> = {};
      for (const [name, r] of Object.entries(compatRows)) {
        const want = visibility === "public" ? r.publicExpect : r.expect;
        if (!want) continue;
        expected[name] = want;
        results[name] = {};
        for (const actor of actors) {
          const w = r.mutates && want[actor] === "ok" ? await makeWorld(visibility === "public") : shared;
          const { path, init } = await r.request(w, actor);
          const bare = bearers[actor].authorization?.replace(/^Bearer /, "");
          // Raw node:http, so the mangled path's `//` reaches the server as the client sends it.
          const res = await wireRequest(server.url, path, {
            method: init?.method,
            headers: {
              ...(init?.headers as Record<string, string>),
              ...(bare ? { authorization: bare } : {}),
            },
            body: init?.body as string | Buffer | undefined,
          });
          results[name][actor] = httpOutcome(res.status);
          // Every answer but HEAD's and the download's is the JSON envelope, denials included.
          if (init?.method !== "HEAD" && !path.endsWith("/file")) expect(res.json()).toHaveProperty("code");
        }
      }
      expect(results).toEqual(expected);
    });
  }
});

describe("denials that guessing can't get around", () => {
  let secret: World;
  let nickProject: string;
  let nick: Caller;
  beforeAll(async () => {
    secret = await makeWorld(false);
    nickProject = `nick${worldCount}`;
    await createProject(t.db, { name: nickProject, ownerId: users.nonMember.id });
    nick = (await callAs(t.db, cookies.nonMember, store)).caller;
  });

  it("hides a private project's runtime by guessed project name or id, runtime name or version prefix", async () => {
    const unknown = await outcomeOf(() => nick.runtime.info({ project: "999999", name: "rt" }));
    for (const project of [secret.project, secret.projectId]) {
      const message = await nick.runtime.info({ project, name: "rt" }).catch((e: Error) => e.message);
      expect(message).toBe(`Project "${project}" not found`);
      expect(
        await outcomeOf(() =>
          nick.runtime.resolve({ project, name: secret.removedVersion.slice(0, 6), bareWord: true }),
        ),
      ).toBe("not_found");
      expect(await outcomeOf(() => nick.project.get({ project }))).toBe(unknown);
    }
    const listed = await nick.project.list();
    expect(listed.items.map((p) => p.name)).not.toContain(secret.project);
  });

  it("won't serve a private project's blob through another project, nor let it be attached by digest", async () => {
    const get = (project: string) =>
      fetch(`${server.url}${blobPaths.blob(project, secret.digest)}`, { headers: bearers.nonMember });
    expect((await get(nickProject)).status).toBe(404);
    expect((await get(secret.project)).status).toBe(404);

    expect(
      await outcomeOf(() =>
        nick.runtime.commit({ project: nickProject, name: "stolen", bundleDigest: secret.digest }),
      ),
    ).toBe("not_found");
    const missing = await fetch(`${server.url}${blobPaths.missing(nickProject)}`, {
      ...json({ digests: [secret.digest] }),
      headers: { "content-type": "application/json", ...bearers.nonMember },
    });
    expect(await missing.json()).toEqual({ missing: [secret.digest] });
    // Claiming the digest starts an upload: the bytes must be sent (and verified) first.
    const upload = await fetch(`${server.url}${blobPaths.uploads(nickProject)}`, {
      ...json({ digest: secret.digest, size: 10 }),
      headers: { "content-type": "application/json", ...bearers.nonMember },
    });
    expect(upload.status).toBe(201);
    expect(
      await outcomeOf(() =>
        nick.runtime.copy({ from: { project: secret.project, name: "rt" }, to: { project: nickProject } }),
      ),
    ).toBe("not_found");
  });

  it("keeps uploads to the user who started them", async () => {
    const uploadId = await uploadFor(secret, "owner", false);
    const res = await fetch(`${server.url}${blobPaths.upload(secret.project, uploadId)}`, {
      headers: bearers.maintainer,
    });
    expect(res.status).toBe(404);
  });

  it("refuses a revoked or expired API token with 401, even where anonymous callers are welcome", async () => {
    const revoked = await createApiToken(t.db, { userId: users.guest.id, name: "revoked" });
    await revokeApiToken(t.db, { userId: users.guest.id, tokenId: revoked.id });
    const expired = await createApiToken(t.db, {
      userId: users.guest.id,
      name: "expired",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await t.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, Number(expired.id)));
    const open = await makeWorld(true);
    for (const token of [revoked.token, expired.token]) {
      const headers = { authorization: `Bearer ${token}` };
      const { caller } = await callAs(t.db, headers, store);
      expect(await outcomeOf(() => caller.auth.me())).toBe("unauthenticated");
      expect(await outcomeOf(() => caller.runtime.info({ project: open.project, name: "rt" }))).toBe(
        "unauthenticated",
      );
      const res = await fetch(`${server.url}${blobPaths.blob(open.project, open.digest)}`, { headers });
      expect(res.status).toBe(401);
      const trpc = await fetch(`${server.url}/api/trpc/auth.me`, { headers });
      expect(trpc.status).toBe(401);
    }
  });

  it("never leaves a project without an owner", async () => {
    const w = await makeWorld(false);
    const { caller } = await callAs(t.db, cookies.owner, store);
    await expect(
      caller.member.setRole({ project: w.project, userName: "owner", role: "guest" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: `owner is the last owner of project "${w.project}"`,
    });
    await expect(caller.member.remove({ project: w.project, userName: "owner" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await caller.member.setRole({ project: w.project, userName: "maintainer", role: "owner" });
    await caller.member.setRole({ project: w.project, userName: "owner", role: "guest" });
    expect((await caller.member.list({ project: w.project })).map((m) => [m.user.name, m.role])).toEqual([
      ["guest", "guest"],
      ["maintainer", "owner"],
      ["owner", "guest"],
    ]);
  });
});
