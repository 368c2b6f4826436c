import postgres from "postgres";
import { expect, it } from "vitest";
import { createTestDatabase, dropStaleTestDatabases } from "./testing";

const adminUrl = process.env.SW_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function databaseExists(name: string): Promise<boolean> {
  const sql = postgres(adminUrl, { max: 1 });
  try {
    return (await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`).length === 1;
  } finally {
    await sql.end();
  }
}

it("gives each caller its own migrated database and drops it afterwards", async () => {
  const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  expect(a.name).not.toBe(b.name);
  expect(await databaseExists(a.name)).toBe(true);
  await a.db.execute("SELECT count(*) FROM users");
  await Promise.all([a.drop(), b.drop()]);
  expect(await databaseExists(a.name)).toBe(false);
  expect(await databaseExists(b.name)).toBe(false);
});

it("drops test databases left behind long ago, but not recent ones", async () => {
  const oldName = `swhub_test_${(Date.now() - 7 * 3600_000).toString(36)}_deadbeef`;
  const sql = postgres(adminUrl, { max: 1 });
  await sql.unsafe(`CREATE DATABASE "${oldName}"`);
  await sql.end();
  const fresh = await createTestDatabase();
  try {
    const dropped = await dropStaleTestDatabases({ adminUrl });
    expect(dropped).toContain(oldName);
    expect(await databaseExists(oldName)).toBe(false);
    expect(await databaseExists(fresh.name)).toBe(true);
  } finally {
    await fresh.drop();
  }
});
