import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { blobs, projectBlobs, runtimeVersions } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { generateVersionId } from "@swhub/shared/version-id";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "../blobs/store";
import { readAll } from "../blobs/store";
import { callAs, createTempBlobStore, digestOf, makeBundle, uploadBytes } from "../test-helpers";
import { createSession } from "./sessions";
import { createUser, type SessionUser } from "./users";

// The whole registry through createCaller, as the console and swcli use it, on real Postgres and a real store.
const fixtures = fileURLToPath(new URL("../../../runtime/test-fixtures/starwhale-0.6.15/", import.meta.url));
const demoBundle = readFileSync(`${fixtures}demo.swrt`);
const demoVersion = "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y";
const yamlfullBundle = readFileSync(`${fixtures}yamlfull.swrt`);
const yamlfullVersion = "iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg";

let t: TestDatabase;
let store: BlobStore;
let alice: SessionUser;
let caller: Awaited<ReturnType<typeof callAs>>["caller"];

beforeAll(async () => {
  t = await createTestDatabase();
  store = createTempBlobStore().store;
  alice = await createUser(t.db, { name: "alice", password: "password-a" });
  const { token } = await createSession(t.db, { userId: alice.id });
  caller = (await callAs(t.db, { cookie: `sw_session=${token}` }, store)).caller;
  await caller.project.create({ name: "demo" });
  await caller.project.create({ name: "other" });
});
afterAll(() => t.drop());

/** Uploads a bundle into a project and commits it. */
async function publish(
  bundle: Buffer,
  name: string,
  options: { project?: string; tags?: string[]; force?: boolean } = {},
) {
  const project = options.project ?? "demo";
  const bundleDigest = await uploadBytes(t.db, store, alice, project, bundle);
  return caller.runtime.commit({ project, name, bundleDigest, tags: options.tags, force: options.force });
}

async function fresh(name: string, tags?: string[]) {
  const version = generateVersionId();
  const bundle = await makeBundle({ version, files: { "payload.bin": version } });
  const result = await publish(bundle, name, { tags });
  return { version, result, digest: digestOf(bundle) };
}

describe("commit", () => {
  it("commits a bundle written by real Starwhale, with manifest, runtime.yaml, lock files and file list", async () => {
    const result = await publish(demoBundle, "starwhale-demo", { tags: ["stable"] });
    expect(result).toMatchObject({
      name: "starwhale-demo",
      version: demoVersion,
      alias: "v0",
      tags: ["stable"],
      created: true,
    });

    const info = await caller.runtime.info({ project: "demo", name: "starwhale-demo" });
    expect(info).toMatchObject({
      version: demoVersion,
      alias: "v0",
      latest: true,
      tags: ["latest", "v0", "stable"],
      size: demoBundle.length,
      digest: digestOf(demoBundle),
      owner: { name: "alice" },
      runtime: { name: "starwhale-demo", owner: { name: "alice" } },
    });
    expect(info.manifest).toMatchObject({ version: demoVersion, environment: { mode: "venv" } });
    expect(info.runtimeYaml).toContain("mode: venv");
    expect(Object.keys(info.lockFiles)).toEqual(["dependencies/.starwhale/lock/requirements-sw-lock.txt"]);

    const files = await caller.runtime.files({ project: "demo", name: "starwhale-demo", size: 2 });
    expect(files.items).toEqual([
      { path: "_manifest.yaml", size: expect.any(Number) },
      { path: "dependencies/.starwhale/lock/requirements-sw-lock.txt", size: 97 },
    ]);
    expect(files.total).toBe(info.fileCount);
    const page2 = await caller.runtime.files({ project: "demo", name: "starwhale-demo", size: 2, page: 2 });
    expect(page2.items.map((f) => f.path)).toEqual(["runtime.yaml"]);
  });

  it("refuses a second commit of the same version, and replaces it (keeping vN) with force", async () => {
    await publish(yamlfullBundle, "yamlfull");
    await expect(publish(yamlfullBundle, "yamlfull")).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Version ${yamlfullVersion} of runtime yamlfull already exists`,
    });
    const again = await publish(yamlfullBundle, "yamlfull", { force: true });
    expect(again).toMatchObject({ version: yamlfullVersion, alias: "v0", created: false });
    const history = await caller.runtime.history({ project: "demo", name: "yamlfull" });
    expect(history.items.map((v) => v.alias)).toEqual(["v0"]);
  });

  it("gives one clear error for each kind of bad bundle or input", async () => {
    const version = generateVersionId();
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        async () => publish(Buffer.from("not a tar, just text ".repeat(50)), "bad"),
        /not a readable tar archive/,
      ],
      [async () => publish(Buffer.alloc(0), "bad"), /not a tar archive \(it is empty\)/],
      [
        async () => publish(await makeBundle({ manifest: "version: [unclosed\n" }), "bad"),
        /_manifest.yaml is not valid YAML/,
      ],
      [
        async () => publish(await makeBundle({ manifest: "created_at: x\n" }), "bad"),
        /_manifest.yaml has 2 problems:\s+version: /,
      ],
      [async () => publish(await makeBundle({ manifest: "- a list\n" }), "bad"), /not a mapping/],
      [
        async () => publish(await makeBundle({ manifest: "version: NOT_AN_ID\nenvironment: {}\n" }), "bad"),
        /"NOT_AN_ID" is not a valid version id/,
      ],
      [
        async () => publish(await makeBundle({ version }), "1-digit-first"),
        /runtime name "1-digit-first" is invalid/,
      ],
      [async () => publish(await makeBundle({ version }), "ok", { tags: ["v3"] }), /tag "v3" is built in/],
    ];
    for (const [attempt, message] of cases) {
      await expect(attempt()).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(message),
      });
    }

    const bundleDigest = await uploadBytes(t.db, store, alice, "demo", await makeBundle({ version }));
    await expect(
      caller.runtime.commit({ project: "demo", name: "ok", bundleDigest, version: generateVersionId() }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/_manifest.yaml is for version/),
    });
    // Nothing half-made: no runtime appeared from the failed commits.
    const list = await caller.runtime.list({ project: "demo", name: "ok" });
    expect(list.total).toBe(0);
  });

  it("refuses to commit a blob the project never received", async () => {
    const bundle = await makeBundle({ version: generateVersionId() });
    await uploadBytes(t.db, store, alice, "other", bundle);
    await expect(
      caller.runtime.commit({ project: "demo", name: "x", bundleDigest: digestOf(bundle) }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/was not uploaded to project "demo"/),
    });
  });
});

describe("versions, tags and latest", () => {
  it("numbers versions v0, v1, ... and never reuses a number, even after a removal", async () => {
    const a = await fresh("numbers");
    const b = await fresh("numbers");
    expect([a.result.alias, b.result.alias]).toEqual(["v0", "v1"]);
    await caller.runtime.remove({ project: "demo", name: "numbers", version: "v1", force: true });
    const c = await fresh("numbers");
    expect(c.result.alias).toBe("v2");
    expect((await caller.runtime.resolve({ project: "demo", name: "numbers", version: "v2" })).version).toBe(
      c.version,
    );
    // Not even after every version was deleted for good.
    await caller.runtime.remove({ project: "demo", name: "numbers", force: true });
    await expect(caller.runtime.info({ project: "demo", name: "numbers" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await fresh("numbers")).result.alias).toBe("v3");
  });

  it("resolves full ids, 4+ character prefixes, tags, latest, vN and bare-word prefixes", async () => {
    const a = await fresh("resolving", ["prod"]);
    const b = await fresh("resolving");
    const resolve = (version?: string, extra: { bareWord?: boolean; name?: string } = {}) =>
      caller.runtime.resolve({
        project: "demo",
        name: extra.name ?? "resolving",
        version,
        bareWord: extra.bareWord,
      });
    expect((await resolve()).version).toBe(b.version);
    expect((await resolve("latest")).version).toBe(b.version);
    expect((await resolve("v0")).version).toBe(a.version);
    expect((await resolve("prod")).version).toBe(a.version);
    expect((await resolve(a.version)).version).toBe(a.version);
    expect((await resolve(a.version.slice(0, 8))).version).toBe(a.version);
    expect(
      await caller.runtime.resolve({ project: "demo", name: b.version.slice(0, 10), bareWord: true }),
    ).toEqual({
      project: "demo",
      name: "resolving",
      version: b.version,
    });
    await expect(resolve("nosuchtag")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(resolve("v99")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("shows the version asked for in info, not the latest", async () => {
    const a = await fresh("infos");
    await fresh("infos");
    const info = await caller.runtime.info({ project: "demo", name: "infos", version: "v0" });
    expect(info).toMatchObject({ version: a.version, alias: "v0", latest: false, tags: ["v0"] });
  });

  it("adds tags, moves one only with force, refuses built-ins, and removes them", async () => {
    const a = await fresh("tagging");
    const b = await fresh("tagging");
    const ref = { project: "demo", name: "tagging" };
    expect(await caller.runtime.tagAdd({ ...ref, version: "v0", tags: ["gold", "team-a"] })).toMatchObject({
      tags: ["gold", "team-a"],
    });
    await expect(caller.runtime.tagAdd({ ...ref, version: "v1", tags: ["gold"] })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Tag "gold" is already on version ${a.version.slice(0, 12)} of tagging`,
    });
    await caller.runtime.tagAdd({ ...ref, version: "v1", tags: ["gold"], force: true });
    expect((await caller.runtime.tags({ ...ref, version: "v1" })).tags).toEqual(["latest", "v1", "gold"]);
    expect((await caller.runtime.tags({ ...ref, version: "v0" })).tags).toEqual(["v0", "team-a"]);
    for (const tag of ["latest", "v0"]) {
      await expect(caller.runtime.tagAdd({ ...ref, version: "v0", tags: [tag] })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
      await expect(caller.runtime.tagRemove({ ...ref, tags: [tag] })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    await caller.runtime.tagRemove({ ...ref, tags: ["gold"] });
    await expect(caller.runtime.tagRemove({ ...ref, tags: ["gold"] })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'tagging has no tag "gold"',
    });
    await expect(caller.runtime.tagRemove({ ...ref, version: "v1", tags: ["team-a"] })).rejects.toMatchObject(
      {
        code: "NOT_FOUND",
      },
    );
    expect((await caller.runtime.resolve({ ...ref, version: "team-a" })).version).toBe(a.version);
    expect(b.result.alias).toBe("v1");
  });

  it("commit tags move from other versions only with force; otherwise they are reported as skipped", async () => {
    await fresh("committags", ["blue"]);
    const second = await fresh("committags", ["blue"]);
    expect(second.result).toMatchObject({ tags: [], skippedTags: ["blue"] });
  });
});

describe("remove and recover", () => {
  it("removes one version: latest moves back, its tags lie dormant, and recover brings them back", async () => {
    const a = await fresh("lifecycle");
    const b = await fresh("lifecycle", ["candidate"]);
    const ref = { project: "demo", name: "lifecycle" };
    await caller.runtime.remove({ ...ref, version: b.version });
    expect((await caller.runtime.resolve(ref)).version).toBe(a.version);
    await expect(caller.runtime.resolve({ ...ref, version: "candidate" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const history = await caller.runtime.history({ ...ref, showRemoved: true });
    expect(history.items.map((v) => [v.alias, v.removed, v.tags])).toEqual([
      ["v1", true, ["v1", "candidate"]],
      ["v0", false, ["latest", "v0"]],
    ]);

    // A dormant tag resolves among removed versions, so recover takes it.
    await caller.runtime.recover({ ...ref, version: "candidate" });
    expect((await caller.runtime.resolve(ref)).version).toBe(b.version);
    expect((await caller.runtime.resolve({ ...ref, version: "candidate" })).version).toBe(b.version);
  });

  it("removes every version with `remove NAME`, hides the runtime, and recovers them all", async () => {
    await fresh("whole");
    await fresh("whole");
    const ref = { project: "demo", name: "whole" };
    expect((await caller.runtime.remove(ref)).versions).toHaveLength(2);
    await expect(caller.runtime.info(ref)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await caller.runtime.list({ project: "demo", name: "whole" })).items).toEqual([]);
    expect(
      (await caller.runtime.list({ project: "demo", name: "whole", showRemoved: true })).items,
    ).toMatchObject([{ name: "whole", removed: true, latest: null, versionCount: 0 }]);
    expect((await caller.runtime.recover(ref)).versions).toHaveLength(2);
    expect((await caller.runtime.list({ project: "demo", name: "whole" })).items).toMatchObject([
      { name: "whole", removed: false, versionCount: 2, latest: { alias: "v1" } },
    ]);
  });

  it("says what is missing when there is nothing to remove or recover", async () => {
    await fresh("nothing");
    await expect(caller.runtime.recover({ project: "demo", name: "nothing" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(caller.runtime.remove({ project: "demo", name: "nosuch" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("lists", () => {
  it("lists versions across runtimes with name prefix, owner, latest, show-removed and paging", async () => {
    await caller.project.create({ name: "lists" });
    const one = async (name: string) => {
      const version = generateVersionId();
      await publish(await makeBundle({ version }), name, { project: "lists" });
      return version;
    };
    const [m0, m1, n0] = [await one("mnist"), await one("mnist"), await one("nlp")];
    await caller.runtime.remove({ project: "lists", name: "mnist", version: m0 });
    const list = (input: object) => caller.runtime.listVersions({ project: "lists", ...input });
    expect((await list({})).items.map((v) => v.version)).toEqual([m1, n0]);
    expect((await list({ showRemoved: true })).items.map((v) => [v.version, v.removed])).toEqual([
      [m1, false],
      [m0, true],
      [n0, false],
    ]);
    expect((await list({ name: "mn" })).items.map((v) => v.version)).toEqual([m1]);
    expect((await list({ latest: true, showRemoved: true })).items.map((v) => v.version)).toEqual([m1, n0]);
    expect((await list({ owner: "alice" })).total).toBe(2);
    expect((await list({ owner: "nobody" })).total).toBe(0);
    const paged = await list({ showRemoved: true, size: 2, page: 2 });
    expect(paged).toMatchObject({ total: 3, page: 2, size: 2 });
    expect(paged.items.map((v) => v.version)).toEqual([n0]);
    expect((await list({ sort: "created" })).items.map((v) => v.version)).toEqual([n0, m1]);
  });

  it("lists one row per runtime with its latest version, sorted and paged on the server", async () => {
    const rows = await caller.runtime.list({ project: "lists", sort: "name" });
    expect(rows.items.map((r) => [r.name, r.latest?.alias, r.latest?.tags, r.owner.name])).toEqual([
      ["mnist", "v1", ["latest", "v1"], "alice"],
      ["nlp", "v0", ["latest", "v0"], "alice"],
    ]);
    expect(
      (await caller.runtime.list({ project: "lists", sort: "updated" })).items.map((r) => r.name),
    ).toEqual(["nlp", "mnist"]);
    expect(
      (await caller.runtime.list({ project: "lists", sort: "name", order: "desc", size: 1 })).items.map(
        (r) => r.name,
      ),
    ).toEqual(["nlp"]);
  });
});

describe("server-side copy and garbage collection", () => {
  it("copies a version to another project without moving bytes, with its tags", async () => {
    const { version } = await fresh("copysrc", ["prod", "skip-me"]);
    const result = await caller.runtime.copy({
      from: { project: "demo", name: "copysrc", version: "prod" },
      to: { project: "other", name: "copied" },
      ignoreTags: ["skip-me"],
    });
    expect(result).toMatchObject({ project: "other", name: "copied", version, alias: "v0", tags: ["prod"] });
    const src = await caller.runtime.info({ project: "demo", name: "copysrc" });
    const dst = await caller.runtime.info({ project: "other", name: "copied" });
    expect(dst.digest).toBe(src.digest);
    expect(dst.manifest).toEqual(src.manifest);
    await expect(
      caller.runtime.copy({
        from: { project: "demo", name: "copysrc" },
        to: { project: "other", name: "copied" },
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("collects blobs nothing refers to, and keeps the ones versions (even removed ones) use", async () => {
    const kept = await fresh("gc-kept");
    await caller.runtime.remove({ project: "demo", name: "gc-kept" });
    const orphan = await makeBundle({ version: generateVersionId(), files: { "x.bin": "orphan" } });
    await uploadBytes(t.db, store, alice, "demo", orphan);
    const purged = await fresh("gc-purged");
    await caller.runtime.remove({ project: "demo", name: "gc-purged", force: true });
    const recent = await makeBundle({ version: generateVersionId(), files: { "x.bin": "recent" } });

    const admin = await createUser(t.db, { name: "root", password: "password-r", isAdmin: true });
    const { token } = await createSession(t.db, { userId: admin.id });
    const adminCaller = (await callAs(t.db, { cookie: `sw_session=${token}` }, store)).caller;
    const dry = await adminCaller.blob.gc({ olderThanSeconds: 0, dryRun: true });
    expect(await store.has(purged.digest)).toBe(true);

    // Everything so far is "old" now; the upload below is recent and must survive.
    await t.db.execute(sql`UPDATE ${projectBlobs} SET created_at = now() - interval '2 hours'`);
    await t.db.execute(sql`UPDATE ${blobs} SET created_at = now() - interval '2 hours'`);
    await uploadBytes(t.db, store, alice, "demo", recent);
    const report = await adminCaller.blob.gc({ olderThanSeconds: 3600 });
    expect(report.blobs).toBeGreaterThanOrEqual(2);
    expect(report.blobs).toBeGreaterThan(dry.blobs);
    expect(await store.has(digestOf(orphan))).toBe(false);
    expect(await store.has(purged.digest)).toBe(false);
    expect(await store.has(kept.digest)).toBe(true);
    expect(await store.has(digestOf(recent))).toBe(true);
    expect(await store.has(digestOf(demoBundle))).toBe(true);
    expect((await readAll(await store.read(kept.digest))).length).toBeGreaterThan(0);
    expect((await adminCaller.blob.gc({ olderThanSeconds: 3600 })).blobs).toBe(0);
    // A recovered version still downloads: its blob was kept.
    await caller.runtime.recover({ project: "demo", name: "gc-kept" });
    const [row] = await t.db.select().from(runtimeVersions).where(eq(runtimeVersions.version, kept.version));
    expect(row!.bundleDigest).toBe(kept.digest);
  });
});
