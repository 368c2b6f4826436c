import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { createDb, type DbClient } from "@swhub/db/client";
import { migrate } from "@swhub/db/migrate";
import { servePglite } from "@swhub/db/serve";

export interface DatabaseChoice {
  /** Open in this process, for migrations and the admin account. */
  db: DbClient;
  /** What the web app and the worker connect to. */
  url: string;
  source: string;
  stop(): Promise<void>;
}

/**
 * Postgres when DATABASE_URL is set. Otherwise PGlite under $DATA_DIR/pglite, served over the Postgres
 * protocol on loopback, because only one process can open a PGlite directory and the web app and the
 * worker are separate processes. Migrations run in both cases.
 */
export async function openDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
): Promise<DatabaseChoice> {
  if (databaseUrl) {
    const db = await createDb({ url: databaseUrl, maxConnections: 2 });
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw new Error(`cannot use DATABASE_URL: ${rootMessage(error)}`);
    }
    return { db, url: databaseUrl, source: "Postgres (DATABASE_URL)", stop: () => db.close() };
  }
  const dir = join(dataDir, "pglite");
  await mkdir(dir, { recursive: true });
  const unlock = await lockDirectory(dir);
  try {
    const served = await servePglite({ dataDir: dir });
    await migrate(served.db);
    return {
      db: served.db,
      url: served.url,
      source: `PGlite in ${dir}`,
      async stop() {
        await served.stop();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Two processes opening one PGlite directory would corrupt it, so the first one holds a lock file. */
async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const lockPath = join(dir, "..", "pglite.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(await readFile(lockPath, "utf8").catch(() => ""));
      if (pid && isAlive(pid)) {
        throw new Error(
          `another swhub (pid ${pid}) is using ${dir}; stop it or set DATA_DIR to another directory`,
        );
      }
      await rm(lockPath, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`cannot lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
