import { apiTokens, projects } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, revokeApiToken } from "../services/api-tokens";
import { createProject } from "../services/projects";
import { createSession } from "../services/sessions";
import { createUser, type SessionUser } from "../services/users";
import { callAs } from "../test-helpers";

let t: TestDatabase;
let alice: SessionUser;
let bob: SessionUser;
let admin: SessionUser;

beforeAll(async () => {
  t = await createTestDatabase();
  alice = await createUser(t.db, { name: "alice", password: "password-a" });
  bob = await createUser(t.db, { name: "bob", password: "password-b" });
  admin = await createUser(t.db, { name: "root", password: "password-r", isAdmin: true });
  await createProject(t.db, { name: "alice-private", ownerId: alice.id });
  await createProject(t.db, { name: "bob-private", ownerId: bob.id });
  await createProject(t.db, { name: "bob-public", ownerId: bob.id, isPublic: true });
  const gone = await createProject(t.db, { name: "alice-removed", ownerId: alice.id });
  await t.db
    .update(projects)
    .set({ removedAt: new Date() })
    .where(eq(projects.id, Number(gone.id)));
});
afterAll(() => t.drop());

async function signedIn(user: SessionUser) {
  const { token } = await createSession(t.db, { userId: user.id });
  return (await callAs(t.db, { cookie: `sw_session=${token}` })).caller;
}

describe("project.list", () => {
  it("shows anonymous callers only the public projects", async () => {
    const { caller } = await callAs(t.db);
    const list = await caller.project.list();
    expect(list.items.map((p) => p.name)).toEqual(["bob-public"]);
    expect(list.total).toBe(1);
  });

  it("shows a user their own projects and public ones, with their role, but not others' private ones", async () => {
    const list = (await (await signedIn(alice)).project.list()).items;
    expect(list.map((p) => [p.name, p.role, p.owner.name])).toEqual([
      ["alice-private", "owner", "alice"],
      ["bob-public", null, "bob"],
    ]);
  });

  it("shows an admin every project that is not removed", async () => {
    const list = (await (await signedIn(admin)).project.list()).items;
    expect(list.map((p) => p.name)).toEqual(["alice-private", "bob-private", "bob-public"]);
  });

  it("accepts an API token as a bearer, and refuses it once revoked", async () => {
    const token = await createApiToken(t.db, { userId: bob.id, name: "laptop" });
    const { caller } = await callAs(t.db, { authorization: `Bearer ${token.token}` });
    expect((await caller.project.list()).items.map((p) => p.name)).toEqual(["bob-private", "bob-public"]);

    await revokeApiToken(t.db, { userId: bob.id, tokenId: token.id });
    const { caller: revoked } = await callAs(t.db, { authorization: `Bearer ${token.token}` });
    await expect(revoked.project.list()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "The API token is invalid, expired or revoked",
    });
  });

  it("refuses an expired API token", async () => {
    const token = await createApiToken(t.db, {
      userId: bob.id,
      name: "old",
      expiresAt: new Date(Date.now() + 60_000),
    });
    // Time passes.
    await t.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, Number(token.id)));
    const { caller } = await callAs(t.db, { authorization: `Bearer ${token.token}` });
    await expect(caller.project.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
