import { runtimes, runtimeTags } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { generateVersionId } from "@swhub/shared/version-id";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "../blobs/store";
import { callAs, createTempBlobStore, makeBundle, uploadBytes } from "../test-helpers";
import { createProject } from "./projects";
import { createSession } from "./sessions";
import { createUser, type SessionUser } from "./users";

// Requests that race on one runtime must leave it consistent: distinct vN, one holder per tag, latest right.
let t: TestDatabase;
let store: BlobStore;
let alice: SessionUser;
let caller: Awaited<ReturnType<typeof callAs>>["caller"];

beforeAll(async () => {
  t = await createTestDatabase();
  store = createTempBlobStore().store;
  alice = await createUser(t.db, { name: "alice", password: "password-a" });
  await createProject(t.db, { name: "race", ownerId: alice.id });
  const { token } = await createSession(t.db, { userId: alice.id });
  caller = (await callAs(t.db, { cookie: `sw_session=${token}` }, store)).caller;
});
afterAll(() => t.drop());

async function uploaded(count: number) {
  const out: { version: string; digest: string }[] = [];
  for (let i = 0; i < count; i++) {
    const version = generateVersionId();
    out.push({
      version,
      digest: await uploadBytes(t.db, store, alice, "race", await makeBundle({ version })),
    });
  }
  return out;
}

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const codes = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as { code: string }).code)).sort();

describe("concurrent requests on one runtime", () => {
  it("gives parallel commits of a new runtime distinct vN numbers, and latest is the highest", async () => {
    const bundles = await uploaded(12);
    const results = await Promise.all(
      bundles.map((b) => caller.runtime.commit({ project: "race", name: "fresh", bundleDigest: b.digest })),
    );
    const aliases = results.map((r) => r.alias).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(aliases).toEqual(Array.from({ length: 12 }, (_, i) => `v${i}`));
    const newest = results.find((r) => r.alias === "v11")!;
    expect((await caller.runtime.resolve({ project: "race", name: "fresh" })).version).toBe(newest.version);
    const [runtime] = await t.db.select().from(runtimes).where(eq(runtimes.name, "fresh"));
    expect(runtime!.nextAliasSeq).toBe(12);
  });

  it("lets exactly one of several parallel commits of the same version win; the others get a conflict", async () => {
    const [bundle] = await uploaded(1);
    const results = await settle(
      Array.from({ length: 6 }, () =>
        caller.runtime.commit({ project: "race", name: "dup", bundleDigest: bundle!.digest }),
      ),
    );
    expect(codes(results)).toEqual(["CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT", "ok"]);
    expect((await caller.runtime.history({ project: "race", name: "dup" })).total).toBe(1);
  });

  it("keeps one holder per tag when forced moves race, and one winner when unforced adds race", async () => {
    const bundles = await uploaded(8);
    for (const b of bundles)
      await caller.runtime.commit({ project: "race", name: "tags", bundleDigest: b.digest });
    const ref = { project: "race", name: "tags" };

    const moves = await settle(
      bundles.map((b) => caller.runtime.tagAdd({ ...ref, version: b.version, tags: ["hot"], force: true })),
    );
    expect(codes(moves)).toEqual(Array(8).fill("ok"));
    const holders = await t.db.select().from(runtimeTags).where(eq(runtimeTags.tag, "hot"));
    expect(holders).toHaveLength(1);
    const holder = (await caller.runtime.resolve({ ...ref, version: "hot" })).version;
    expect(bundles.map((b) => b.version)).toContain(holder);

    const adds = await settle(
      bundles.map((b) => caller.runtime.tagAdd({ ...ref, version: b.version, tags: ["cold"] })),
    );
    expect(codes(adds)).toEqual([...Array(7).fill("CONFLICT"), "ok"]);
    expect(await t.db.select().from(runtimeTags).where(eq(runtimeTags.tag, "cold"))).toHaveLength(1);
  });

  it("stays consistent when commits, removes and tag moves interleave", async () => {
    const first = await uploaded(4);
    for (const b of first)
      await caller.runtime.commit({ project: "race", name: "mixed", bundleDigest: b.digest });
    const more = await uploaded(4);
    const ref = { project: "race", name: "mixed" };
    const results = await settle<unknown>([
      ...more.map((b) =>
        caller.runtime.commit({ ...ref, bundleDigest: b.digest, tags: ["edge"], force: true }),
      ),
      caller.runtime.remove({ ...ref, version: first[3]!.version }),
      caller.runtime.remove({ ...ref, version: first[2]!.version }),
      ...first
        .slice(0, 2)
        .map((b) => caller.runtime.tagAdd({ ...ref, version: b.version, tags: ["edge"], force: true })),
    ]);
    expect(codes(results)).toEqual(Array(8).fill("ok"));

    const history = await caller.runtime.history({ ...ref, showRemoved: true, size: 50 });
    const seqs = history.items.map((v) => Number(v.alias.slice(1)));
    expect(new Set(seqs).size).toBe(8);
    expect(seqs.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const live = history.items.filter((v) => !v.removed);
    expect(live).toHaveLength(6);
    const newestLive = live.reduce((a, b) => (Number(a.alias.slice(1)) > Number(b.alias.slice(1)) ? a : b));
    expect(history.items.filter((v) => v.latest).map((v) => v.version)).toEqual([newestLive.version]);
    expect(history.items.filter((v) => v.tags.includes("edge"))).toHaveLength(1);
  });
});
