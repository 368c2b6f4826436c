import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callAs, createTempBlobStore, makeBundle, uploadBytes } from "../test-helpers";
import { createProject } from "./projects";
import { recordVersion } from "./runtime-commit";
import { createSession } from "./sessions";
import { createUser, type SessionUser } from "./users";

// runtime.diff through createCaller on real Postgres: versions are recorded with their manifests and lock files.
let t: TestDatabase;
let alice: SessionUser;
let digest: string;
let caller: Awaited<ReturnType<typeof callAs>>["caller"];
const lockPath = "dependencies/.starwhale/lock/requirements-sw-lock.txt";

async function record(projectId: string, name: string, python: string, lock: string, extra = {}) {
  const version = generateVersionId();
  await recordVersion(t.db, {
    projectId: Number(projectId),
    projectName: "diffs",
    name,
    userId: Number(alice.id),
    content: {
      version,
      manifest: { version, environment: { mode: "venv", python, arch: "noarch", ...extra } },
      bundleDigest: digest,
      bundleSize: 10,
      files: [],
      runtimeYaml: null,
      lockFiles: { [lockPath]: lock },
    },
    tags: [],
    force: false,
  });
  return version;
}

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { name: "alice", password: "password-a" });
  const { token } = await createSession(t.db, { userId: alice.id });
  caller = (await callAs(t.db, { cookie: `sw_session=${token}` })).caller;
  const { id } = await createProject(t.db, { name: "diffs", ownerId: alice.id });
  // Every version shares one uploaded bundle; what the diff reads is the recorded manifest and lock files.
  const bundle = await makeBundle({ version: generateVersionId() });
  digest = await uploadBytes(t.db, createTempBlobStore().store, alice, "diffs", bundle);
  await record(id, "torch-env", "3.10", "numpy==1.26.4\ntorch==2.1.0\nsix==1.16.0");
  await record(id, "torch-env", "3.11", "numpy==2.0.0\ntorch==2.0.1\nscipy==1.13.0\nsix==1.16.0", {
    cuda: "12.1",
  });
  await record(id, "other-env", "3.11", "numpy==1.20.0");
  await createProject(t.db, { name: "elsewhere", ownerId: alice.id });
});
afterAll(() => t.drop());

describe("runtime.diff", () => {
  it("compares two versions by alias: packages by PEP 440 order and the environment", async () => {
    const result = await caller.runtime.diff({
      project: "diffs",
      name: "torch-env",
      from: "v0",
      to: "latest",
    });
    expect(result.from.alias).toBe("v0");
    expect(result.to).toMatchObject({ alias: "v1", latest: true });
    expect(result.diff.packages).toEqual([
      { kind: "upgraded", name: "numpy", from: "1.26.4", to: "2.0.0" },
      { kind: "added", name: "scipy", from: null, to: "1.13.0" },
      { kind: "downgraded", name: "torch", from: "2.1.0", to: "2.0.1" },
    ]);
    expect(result.diff.unchangedCount).toBe(1);
    expect(result.diff.environment).toEqual([
      { field: "python", from: "3.10", to: "3.11" },
      { field: "cuda", from: "", to: "12.1" },
    ]);
  });

  it("compares across runtimes of one project", async () => {
    const result = await caller.runtime.diff({
      project: "diffs",
      name: "torch-env",
      from: "v1",
      toName: "other-env",
      to: "v0",
    });
    expect(result.to.name).toBe("other-env");
    expect(result.diff.counts).toMatchObject({ downgraded: 1, removed: 3 });
  });

  it("answers not_found for an unknown version, naming it", async () => {
    await expect(
      caller.runtime.diff({ project: "diffs", name: "torch-env", from: "v0", to: "v9" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("v9") });
  });

  it("never reaches into another project", async () => {
    await expect(
      caller.runtime.diff({ project: "elsewhere", name: "torch-env", from: "v0", to: "v1" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
