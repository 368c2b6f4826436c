import { runtimeImages, runtimeVersions } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { generateVersionId } from "@swhub/shared/version-id";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callAs, createTempBlobStore, makeBundle, uploadBytes } from "../test-helpers";
import { createProject } from "./projects";
import { recordVersion } from "./runtime-commit";
import { createSession } from "./sessions";
import { createUser } from "./users";

// The console's Image column: the newest image built from each listed version, or null.
let t: TestDatabase;
let caller: Awaited<ReturnType<typeof callAs>>["caller"];
const versionIds: number[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  const alice = await createUser(t.db, { name: "alice", password: "password-a" });
  caller = (
    await callAs(t.db, { cookie: `sw_session=${(await createSession(t.db, { userId: alice.id })).token}` })
  ).caller;
  const { id } = await createProject(t.db, { name: "imgs", ownerId: alice.id });
  const digest = await uploadBytes(
    t.db,
    createTempBlobStore().store,
    alice,
    "imgs",
    await makeBundle({ version: generateVersionId() }),
  );
  for (let i = 0; i < 2; i++) {
    const version = generateVersionId();
    await recordVersion(t.db, {
      projectId: Number(id),
      projectName: "imgs",
      name: "env",
      userId: Number(alice.id),
      content: {
        version,
        manifest: { version },
        bundleDigest: digest,
        bundleSize: 1,
        files: [],
        runtimeYaml: null,
        lockFiles: {},
      },
      tags: [],
      force: false,
    });
    const [row] = await t.db
      .select({ id: runtimeVersions.id })
      .from(runtimeVersions)
      .where(eq(runtimeVersions.version, version));
    versionIds.push(row!.id);
  }
  await t.db.insert(runtimeImages).values([
    {
      versionId: versionIds[1]!,
      reference: "reg.local/env:old",
      digest: "sha256:1",
      platforms: ["linux/amd64"],
      createdAt: new Date(1_000),
    },
    {
      versionId: versionIds[1]!,
      reference: "reg.local/env:new",
      digest: "sha256:2",
      platforms: ["linux/amd64"],
      createdAt: new Date(2_000),
    },
  ]);
});
afterAll(() => t.drop());

it("shows the newest image of the latest version in the list, and per version in the history", async () => {
  const list = await caller.runtime.list({ project: "imgs" });
  expect(list.items[0]?.latest?.image).toBe("reg.local/env:new");
  const history = await caller.runtime.history({ project: "imgs", name: "env" });
  expect(history.items.map((v) => [v.alias, v.image])).toEqual([
    ["v1", "reg.local/env:new"],
    ["v0", null],
  ]);
});
