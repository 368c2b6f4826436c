import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { casing } from "./casing";
import * as schema from "./schema";

export type Schema = typeof schema;

/** What services take: a client, or a transaction of one. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DbDriver = "postgres" | "pglite";

/** An open database. `close()` must be awaited, or the process keeps running. */
export type DbClient = Database & { readonly driver: DbDriver; close(): Promise<void> };

export type DbOptions =
  /** A Postgres URL, opened with postgres.js. */
  | { url: string; maxConnections?: number }
  /** Embedded PGlite in a directory (created when missing). Only one process may open a directory. */
  | { dataDir: string };

export async function createDb(options: DbOptions): Promise<DbClient> {
  if ("url" in options) {
    const sql = postgres(options.url, {
      max: options.maxConnections ?? 10,
      // Migrations and IF EXISTS clauses raise NOTICEs that are not worth printing.
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client: sql, schema, casing });
    return Object.assign(db, { driver: "postgres" as const, close: () => sql.end({ timeout: 5 }) });
  }
  return wrapPglite(await PGlite.create(options.dataDir));
}

/** A Drizzle client over an open PGlite instance; closing it closes the instance. */
export function wrapPglite(client: PGlite): DbClient {
  const db = drizzlePglite({ client, schema, casing });
  return Object.assign(db, { driver: "pglite" as const, close: () => client.close() });
}
