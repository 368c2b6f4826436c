import { apiTokens } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { generateVersionId } from "@swhub/shared/version-id";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "../blobs/store";
import { createSession } from "../services/sessions";
import { hashToken } from "../services/tokens";
import { createUser, type SessionUser } from "../services/users";
import { callAs, createTempBlobStore, makeBundle, uploadBytes } from "../test-helpers";

// Tokens, users, projects and members as the console and swcli use them.
let t: TestDatabase;
let store: BlobStore;
let alice: SessionUser;
let admin: SessionUser;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createTempBlobStore().store;
  alice = await createUser(t.db, { name: "alice", password: "password-a" });
  admin = await createUser(t.db, { name: "root", password: "password-r", isAdmin: true });
});
afterAll(() => t.drop());

async function as(user: SessionUser | null) {
  if (!user) return (await callAs(t.db, {}, store)).caller;
  const { token } = await createSession(t.db, { userId: user.id });
  return (await callAs(t.db, { cookie: `sw_session=${token}` }, store)).caller;
}

describe("API tokens", () => {
  it("shows the secret once, stores only its hash, records use, and stops working when revoked", async () => {
    const me = await as(alice);
    const expiresAt = new Date(Date.now() + 86_400_000);
    const created = await me.token.create({ name: "laptop", expiresAt });
    expect(created).toMatchObject({ name: "laptop", state: "active", expiresAt, lastUsedAt: null });
    expect(created.token).toMatch(/^swh_[\w-]{43}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);

    const [row] = await t.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.id, Number(created.id)));
    expect(row!.tokenHash).toBe(hashToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const listed = await me.token.list();
    expect(listed.map((x) => x.name)).toEqual(["laptop"]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const { caller: viaToken } = await callAs(t.db, { authorization: `Bearer ${created.token}` }, store);
    expect(await viaToken.auth.me()).toMatchObject({ name: "alice" });
    expect((await me.token.list())[0]!.lastUsedAt).toBeInstanceOf(Date);

    expect(await me.token.revoke({ id: created.id })).toMatchObject({ state: "revoked" });
    const { caller: afterRevoke } = await callAs(t.db, { authorization: `Bearer ${created.token}` }, store);
    await expect(afterRevoke.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("refuses a token that expires in the past, and another user's token id", async () => {
    const me = await as(alice);
    await expect(
      me.token.create({ name: "old", expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "The expiry time is in the past",
    });
    const theirs = await (await as(admin)).token.create({ name: "admin-token" });
    await expect(me.token.revoke({ id: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(me.token.revoke({ id: "not-a-number" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("users", () => {
  it("lets an admin create accounts that can sign in, with the shared name rules", async () => {
    const root = await as(admin);
    expect(await root.user.create({ name: "bob", password: "password-b" })).toMatchObject({
      name: "bob",
      isAdmin: false,
    });
    await expect(
      (await as(null)).auth.signIn({ name: "bob", password: "password-b" }),
    ).resolves.toMatchObject({ name: "bob" });
    await expect(root.user.create({ name: "bob", password: "password-b" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(root.user.create({ name: "9lives", password: "password-x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/user name "9lives" is invalid/),
    });
  });
});

describe("projects and members", () => {
  it("creates, finds by name or id, pages, updates and removes projects", async () => {
    const me = await as(alice);
    const created = await me.project.create({ name: "vision", description: "CV runtimes" });
    await expect(me.project.create({ name: "vision" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(me.project.create({ name: "has space" })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const byId = await me.project.get({ project: created.id });
    expect(byId).toMatchObject({
      name: "vision",
      isPublic: false,
      description: "CV runtimes",
      role: "owner",
      access: "owner",
    });
    expect(await me.project.get({ project: "vision" })).toEqual(byId);

    for (const name of ["vision-a", "vision-b", "vision-c"]) await me.project.create({ name });
    const page = await me.project.list({ name: "vision", size: 2, page: 2 });
    expect(page).toMatchObject({ total: 4, page: 2, size: 2 });
    expect(page.items.map((p) => p.name)).toEqual(["vision-b", "vision-c"]);

    const anonymous = await as(null);
    await expect(anonymous.project.get({ project: "vision" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await me.project.update({ project: "vision", isPublic: true });
    expect(await anonymous.project.get({ project: "vision" })).toMatchObject({
      isPublic: true,
      role: null,
      access: "guest",
    });

    const version = generateVersionId();
    const bundleDigest = await uploadBytes(t.db, store, alice, "vision", await makeBundle({ version }));
    await me.runtime.commit({ project: "vision", name: "detector", bundleDigest });
    expect(await me.project.get({ project: "vision" })).toMatchObject({ runtimeCount: 1, memberCount: 1 });
    expect(await me.project.remove({ project: "vision" })).toEqual({ id: created.id, name: "vision" });
    await expect(me.project.get({ project: "vision" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The name is free again, and nothing of the old project shows through.
    await me.project.create({ name: "vision" });
    expect((await me.runtime.list({ project: "vision" })).total).toBe(0);
  });

  it("adds members by user name, changes roles and removes them, with clear errors", async () => {
    const me = await as(alice);
    await me.project.create({ name: "team" });
    await createUser(t.db, { name: "carol", password: "password-c" });
    expect(await me.member.add({ project: "team", userName: "carol", role: "guest" })).toMatchObject({
      user: { name: "carol" },
      role: "guest",
    });
    await expect(me.member.add({ project: "team", userName: "carol", role: "owner" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: 'carol is already a member of project "team"',
    });
    await expect(me.member.add({ project: "team", userName: "nobody", role: "guest" })).rejects.toMatchObject(
      {
        code: "NOT_FOUND",
        message: 'User "nobody" not found',
      },
    );
    await me.member.setRole({ project: "team", userName: "carol", role: "maintainer" });
    expect((await me.member.list({ project: "team" })).map((m) => [m.user.name, m.role])).toEqual([
      ["alice", "owner"],
      ["carol", "maintainer"],
    ]);
    await me.member.remove({ project: "team", userName: "carol" });
    await expect(me.member.remove({ project: "team", userName: "carol" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
