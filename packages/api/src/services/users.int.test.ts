import { users } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, ensureAdmin, verifyPassword } from "./users";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

describe("users", () => {
  it("stores an argon2id hash, never the password", async () => {
    await createUser(t.db, { name: "carol", password: "secret-pass" });
    const [row] = await t.db.select().from(users).where(eq(users.name, "carol"));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row!.passwordHash).not.toContain("secret-pass");
  });

  it("refuses a second user with the same name", async () => {
    await createUser(t.db, { name: "dave", password: "password1" });
    await expect(createUser(t.db, { name: "dave", password: "password2" })).rejects.toMatchObject({
      code: "conflict",
      message: 'User "dave" already exists',
    });
  });

  it("refuses bad names and short passwords with a reason", async () => {
    await expect(createUser(t.db, { name: "no spaces", password: "password1" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(createUser(t.db, { name: "erin", password: "short" })).rejects.toMatchObject({
      code: "invalid_input",
      message: "The password must have at least 8 characters",
    });
  });

  it("creates the admin once with a generated password, and keeps it on later starts", async () => {
    const first = await ensureAdmin(t.db, { name: "starwhale" });
    expect(first.created).toBe(true);
    expect(first.password).toMatch(/^[\w-]{16}$/);
    expect(first.user.isAdmin).toBe(true);

    const second = await ensureAdmin(t.db, { name: "starwhale", password: "ignored-now" });
    expect(second.created).toBe(false);
    expect(second.password).toBeUndefined();
    await expect(
      verifyPassword(t.db, { name: "starwhale", password: first.password! }),
    ).resolves.toMatchObject({
      name: "starwhale",
      isAdmin: true,
    });
  });

  it("uses the given admin password when there is one", async () => {
    const result = await ensureAdmin(t.db, { name: "boss", password: "given-password" });
    expect(result).toMatchObject({ created: true, password: "given-password" });
    await expect(verifyPassword(t.db, { name: "boss", password: "given-password" })).resolves.toBeTruthy();
  });
});
