import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../services/users";
import { callAs, sessionCookieFrom } from "../test-helpers";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { name: "alice", password: "correct horse" });
});
afterAll(() => t.drop());

describe("auth router", () => {
  it("signs in with the right password and sets an HttpOnly session cookie that identifies the user", async () => {
    const { caller, resHeaders } = await callAs(t.db);
    const user = await caller.auth.signIn({ name: "alice", password: "correct horse" });
    expect(user).toMatchObject({ name: "alice", isAdmin: false });

    const setCookie = resHeaders.getSetCookie()[0]!;
    expect(setCookie).toMatch(/^sw_session=[\w-]{40,}; /);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");

    const { caller: again } = await callAs(t.db, { cookie: sessionCookieFrom(resHeaders) });
    expect(await again.auth.me()).toMatchObject({ name: "alice" });
  });

  it("refuses a wrong password or an unknown user with the same message, and sets no cookie", async () => {
    for (const input of [
      { name: "alice", password: "wrong horse" },
      { name: "mallory", password: "correct horse" },
    ]) {
      const { caller, resHeaders } = await callAs(t.db);
      await expect(caller.auth.signIn(input)).rejects.toMatchObject({
        message: "Wrong user name or password",
        cause: { code: "unauthenticated" },
      });
      expect(resHeaders.getSetCookie()).toEqual([]);
    }
  });

  it("rejects an empty user name before looking anything up", async () => {
    const { caller } = await callAs(t.db);
    await expect(caller.auth.signIn({ name: "  ", password: "x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("signs out: the old cookie no longer works and the browser is told to drop it", async () => {
    const first = await callAs(t.db);
    await first.caller.auth.signIn({ name: "alice", password: "correct horse" });
    const cookie = sessionCookieFrom(first.resHeaders);

    const { caller, resHeaders } = await callAs(t.db, { cookie });
    await caller.auth.signOut();
    expect(resHeaders.getSetCookie()[0]).toMatch(/^sw_session=; .*Expires=Thu, 01 Jan 1970/);

    const { caller: after } = await callAs(t.db, { cookie });
    expect(await after.auth.me()).toBeNull();
  });

  it("treats a forged session cookie as signed out", async () => {
    const { caller } = await callAs(t.db, { cookie: "sw_session=forged" });
    expect(await caller.auth.me()).toBeNull();
  });
});
