import { PGlite } from "@electric-sql/pglite";
import { type DbClient, wrapPglite } from "./client";
import { listenPglite } from "./pglite-server";

export interface ServedPglite {
  /**
   * The open database, for the serving process itself (migrations, the first admin). It shares PGlite's one
   * session with the clients: each of its queries waits for the session, but its transactions are not kept
   * whole against clients, so use it before they connect.
   */
  db: DbClient;
  /** A Postgres URL that other processes connect to. */
  url: string;
  /** Stops serving, then closes the database. */
  stop(): Promise<void>;
}

/**
 * Opens PGlite in `dataDir` and serves it over the Postgres wire protocol on loopback.
 * Only one process can open a PGlite directory, and the web app and the worker are separate
 * processes, so the process that owns the directory serves it and the others connect as to Postgres.
 */
export async function servePglite(options: { dataDir: string; port?: number }): Promise<ServedPglite> {
  const client = await PGlite.create(options.dataDir);
  // Pools in the web app and the worker each open a few connections; they take turns on PGlite's one session.
  let server: Awaited<ReturnType<typeof listenPglite>>;
  try {
    server = await listenPglite(client, { host: "127.0.0.1", port: options.port ?? 0, maxConnections: 64 });
  } catch (error) {
    await client.close();
    throw error;
  }
  const db = wrapPglite(client);
  return {
    db,
    url: `postgres://postgres:postgres@127.0.0.1:${server.port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
