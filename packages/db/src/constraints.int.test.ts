import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blobs,
  jobLogs,
  jobs,
  projectMembers,
  projects,
  runtimes,
  runtimeTags,
  runtimeVersions,
  users,
} from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing";

// The invariants that matter live in the database, so they hold under concurrent requests too.
let t: TestDatabase;
let userId: number;
let projectId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  const [user] = await t.db.insert(users).values({ name: "alice", passwordHash: "x" }).returning();
  const [project] = await t.db.insert(projects).values({ name: "demo", ownerId: user!.id }).returning();
  userId = user!.id;
  projectId = project!.id;
  await t.db.insert(blobs).values({ digest: `sha256:${"0".repeat(64)}`, size: 10 });
});
afterAll(() => t.drop());

async function addRuntime(name: string) {
  const [runtime] = await t.db.insert(runtimes).values({ projectId, name, ownerId: userId }).returning();
  return runtime!;
}

async function addVersion(runtimeId: number, version: string, aliasSeq: number) {
  const [row] = await t.db
    .insert(runtimeVersions)
    .values({
      runtimeId,
      version,
      aliasSeq,
      manifest: {},
      bundleDigest: `sha256:${"0".repeat(64)}`,
      bundleSize: 10,
      createdBy: userId,
    })
    .returning();
  return row!;
}

/** postgres.js reports the SQLSTATE as `code`; drizzle wraps it as the error's cause. */
function sqlState(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code;
}

async function expectViolation(promise: Promise<unknown>, state: "23505" | "23503") {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the database to refuse").toBeDefined();
  expect(sqlState(error)).toBe(state);
}

describe("database constraints", () => {
  it("refuses a second tag with the same name on one runtime", async () => {
    const runtime = await addRuntime("tagged");
    const v0 = await addVersion(runtime.id, "a".repeat(40), 0);
    const v1 = await addVersion(runtime.id, "b".repeat(40), 1);
    await t.db.insert(runtimeTags).values({ runtimeId: runtime.id, versionId: v0.id, tag: "stable" });
    await expectViolation(
      t.db.insert(runtimeTags).values({ runtimeId: runtime.id, versionId: v1.id, tag: "stable" }),
      "23505",
    );
  });

  it("allows the same tag name on two runtimes", async () => {
    const one = await addRuntime("one");
    const two = await addRuntime("two");
    const v1 = await addVersion(one.id, "c".repeat(40), 0);
    const v2 = await addVersion(two.id, "c".repeat(40), 0);
    await t.db.insert(runtimeTags).values([
      { runtimeId: one.id, versionId: v1.id, tag: "prod" },
      { runtimeId: two.id, versionId: v2.id, tag: "prod" },
    ]);
  });

  it("refuses a tag that points to another runtime's version", async () => {
    const mine = await addRuntime("mine");
    const theirs = await addRuntime("theirs");
    const version = await addVersion(theirs.id, "d".repeat(40), 0);
    await expectViolation(
      t.db.insert(runtimeTags).values({ runtimeId: mine.id, versionId: version.id, tag: "x" }),
      "23503",
    );
  });

  it("refuses the same version name or vN alias twice in one runtime", async () => {
    const runtime = await addRuntime("versions");
    await addVersion(runtime.id, "e".repeat(40), 0);
    await expectViolation(addVersion(runtime.id, "e".repeat(40), 1), "23505");
    await expectViolation(addVersion(runtime.id, "f".repeat(40), 0), "23505");
  });

  it("refuses two runtimes with one name in a project, and two projects with one name", async () => {
    await addRuntime("dup");
    await expectViolation(addRuntime("dup"), "23505");
    await expectViolation(t.db.insert(projects).values({ name: "demo", ownerId: userId }), "23505");
  });

  it("gives a user one role per project", async () => {
    await t.db.insert(projectMembers).values({ projectId, userId, role: "owner" });
    await expectViolation(t.db.insert(projectMembers).values({ projectId, userId, role: "guest" }), "23505");
  });

  it("keeps job log sequence numbers unique per job, and request ids unique per project", async () => {
    const [job] = await t.db
      .insert(jobs)
      .values({ kind: "runtime.build", queue: "builds", projectId, requestId: "r1", payload: {} })
      .returning();
    await t.db.insert(jobLogs).values({ jobId: job!.id, seq: 0, event: { type: "phase" } });
    await expectViolation(
      t.db.insert(jobLogs).values({ jobId: job!.id, seq: 0, event: { type: "phase" } }),
      "23505",
    );
    await expectViolation(
      t.db
        .insert(jobs)
        .values({ kind: "runtime.build", queue: "builds", projectId, requestId: "r1", payload: {} }),
      "23505",
    );
  });
});
