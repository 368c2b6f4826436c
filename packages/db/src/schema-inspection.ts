import { sql } from "drizzle-orm";
import type { DbClient } from "./client";

// Helpers for the migration tests, which compare what Postgres and PGlite end up with.

/** postgres.js returns rows as an array, PGlite as `{ rows }`. */
async function query<T>(db: DbClient, statement: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(statement)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

export async function listTables(db: DbClient): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    db,
    sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

// PG 18 (PGlite) also lists NOT NULL constraints in pg_constraint; PG 15 does not.
export async function listConstraints(db: DbClient): Promise<string[]> {
  const rows = await query<{ conname: string }>(
    db,
    sql`SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.contype <> 'n' ORDER BY conname`,
  );
  return rows.map((row) => row.conname);
}
