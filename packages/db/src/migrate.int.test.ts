import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbClient } from "./client";
import { migrate } from "./migrate";
import { users } from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing";

const expectedTables = [
  "api_tokens",
  "blobs",
  "job_logs",
  "jobs",
  "project_members",
  "projects",
  "runtime_images",
  "runtime_tags",
  "runtime_versions",
  "runtimes",
  "sessions",
  "users",
];

/** postgres.js returns rows as an array, PGlite as `{ rows }`. */
async function query<T>(db: DbClient, statement: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

async function listTables(db: DbClient): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    db,
    sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

// PG 18 (PGlite) also lists NOT NULL constraints in pg_constraint; PG 15 does not.
async function listConstraints(db: DbClient): Promise<string[]> {
  const rows = await query<{ conname: string }>(
    db,
    sql`SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.contype <> 'n' ORDER BY conname`,
  );
  return rows.map((row) => row.conname);
}

describe("migrations on Postgres", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates every table", async () => {
    expect(await listTables(t.db)).toEqual(expectedTables);
  });

  it("is a no-op when run again", async () => {
    const before = await listConstraints(t.db);
    await migrate(t.db);
    expect(await listConstraints(t.db)).toEqual(before);
  });
});

describe("migrations on PGlite", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "swhub-pglite-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("gives the same tables and constraints as Postgres, and keeps data across reopening", async () => {
    const pglite = await createDb({ dataDir: join(dir, "db") });
    const postgres = await createTestDatabase();
    try {
      await migrate(pglite);
      expect(await listTables(pglite)).toEqual(expectedTables);
      expect(await listConstraints(pglite)).toEqual(await listConstraints(postgres.db));
      await pglite.insert(users).values({ name: "alice", passwordHash: "x" });
    } finally {
      await pglite.close();
      await postgres.drop();
    }

    const reopened = await createDb({ dataDir: join(dir, "db") });
    try {
      await migrate(reopened);
      const names = await reopened.select({ name: users.name }).from(users);
      expect(names).toEqual([{ name: "alice" }]);
    } finally {
      await reopened.close();
    }
  });
});
