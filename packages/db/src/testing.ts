import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { createDb, type DbClient } from "./client";
import { migrate, migrationsFolder } from "./migrate";

/**
 * Each integration test file gets its own database, cloned from a migrated template on real Postgres.
 * Cloning (`CREATE DATABASE x TEMPLATE t`) takes tens of milliseconds; migrating takes much longer.
 */
export interface TestDatabase {
  db: DbClient;
  /** A URL for processes the test starts (the worker, the web app). */
  url: string;
  name: string;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

const defaultAdminUrl = "postgres://postgres@127.0.0.1:5432/postgres";

export async function createTestDatabase(options: { adminUrl?: string } = {}): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? process.env.SW_TEST_DATABASE_URL ?? defaultAdminUrl;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const template = await ensureTemplate(admin, adminUrl);
    const name = `swhub_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    const url = withDatabase(adminUrl, name);
    const db = await createDb({ url, maxConnections: 5 });
    return {
      db,
      url,
      name,
      async drop() {
        await db.close();
        const again = postgres(adminUrl, { max: 1, onnotice: () => {} });
        try {
          await again.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await again.end();
        }
      },
    };
  } finally {
    await admin.end();
  }
}

/**
 * Drops test databases left behind by test processes that died before `drop()`. Names carry their
 * creation time, so databases of runs still going (here or in another checkout) are left alone.
 */
export async function dropStaleTestDatabases(
  options: { adminUrl?: string; olderThanMs?: number } = {},
): Promise<string[]> {
  const adminUrl = options.adminUrl ?? process.env.SW_TEST_DATABASE_URL ?? defaultAdminUrl;
  const cutoff = Date.now() - (options.olderThanMs ?? 6 * 3600_000);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<
      { datname: string }[]
    >`SELECT datname FROM pg_database WHERE datname LIKE 'swhub_test_%'`;
    const stale = rows
      .map((row) => row.datname)
      .filter((name) => {
        const created = Number.parseInt(name.split("_")[2] ?? "", 36);
        return Number.isFinite(created) && created < cutoff;
      });
    for (const name of stale) await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return stale;
  } finally {
    await admin.end();
  }
}

/**
 * The template is named after a hash of the migrations, so a changed migration gets a fresh template
 * and concurrent test runs from other checkouts never see a half-built one: it is built under a
 * temporary name, behind an advisory lock, and renamed when complete.
 */
async function ensureTemplate(admin: postgres.Sql, adminUrl: string): Promise<string> {
  const template = `swhub_tpl_${hashMigrations()}`;
  const lock = await admin.reserve();
  try {
    await lock`SELECT pg_advisory_lock(hashtext(${template}))`;
    const [found] = await lock`SELECT 1 FROM pg_database WHERE datname = ${template}`;
    if (!found) {
      const building = `${template}_build`;
      await lock.unsafe(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await lock.unsafe(`CREATE DATABASE "${building}"`);
      const db = await createDb({ url: withDatabase(adminUrl, building), maxConnections: 1 });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      await lock.unsafe(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    }
    await lock`SELECT pg_advisory_unlock(hashtext(${template}))`;
  } finally {
    lock.release();
  }
  return template;
}

function hashMigrations(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
