/**
 * `pnpm start`: the whole system on one machine. Opens the database (PGlite or Postgres) and runs its
 * migrations, finds or starts Redis, creates the admin on first start, builds the console when its build
 * is missing or stale, then runs the web app and the worker as child processes until Ctrl-C.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureAdmin } from "@swhub/api/services/users";
import { isAppError } from "@swhub/shared/errors";
import { buildConsole } from "./start/build";
import { type Child, startChild } from "./start/children";
import { type DatabaseChoice, openDatabase, rootMessage } from "./start/database";
import { isPortFree, waitFor } from "./start/net";
import { ensureRedis, type RedisChoice } from "./start/redis";
import { loadSettings, type Settings } from "./start/settings";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const log = (line: string) => console.log(`swhub  | ${line}`);

class StartError extends Error {}

async function isHealthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    return res.ok;
  } catch {
    return false;
  }
}

async function main(settings: Settings) {
  const dataDir = resolve(settings.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  if (!(await isPortFree(settings.PORT))) {
    throw new StartError(`port ${settings.PORT} is in use; set PORT to a free port`);
  }

  const children: Child[] = [];
  let redis: RedisChoice | undefined;
  let database: DatabaseChoice | undefined;
  let stopping: Promise<void> | undefined;

  // Web and worker first (they finish their requests and jobs), then the services they use.
  const stopAll = () => {
    stopping ??= (async () => {
      await Promise.all(children.map((c) => c.stop()));
      await redis?.child?.stop();
      await database?.stop();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    log(`${signal}: stopping`);
    void stopAll().then(() => {
      log("stopped");
      process.exit(0);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    redis = await ensureRedis({ redisUrl: settings.REDIS_URL, dataDir });
    log(`queue: Redis, ${redis.source}`);
    database = await openDatabase(settings.DATABASE_URL, dataDir);
    log(`database: ${database.source}, migrations applied`);

    const admin = await ensureAdmin(database.db, {
      name: settings.SW_ADMIN_USER,
      password: settings.SW_ADMIN_PASSWORD,
    });
    const url = `http://localhost:${settings.PORT}`;
    if (admin.created && !settings.SW_ADMIN_PASSWORD) {
      log(
        `created the admin account. Sign in at ${url} as "${admin.user.name}" with password: ${admin.password}`,
      );
      log("this password is shown only once; keep it somewhere safe");
    } else if (admin.created) {
      log(`created the admin account "${admin.user.name}" with the password from SW_ADMIN_PASSWORD`);
    }

    await buildConsole(root, log);
    if (stopping) return;

    const env = {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(settings.PORT),
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
    };
    children.push(
      // The web app's own server (Next for pages and most routes, Node's HTTP for the blob routes).
      startChild("web", process.execPath, ["--import", "tsx", "server.ts"], {
        cwd: join(root, "apps/web"),
        env,
      }),
      startChild("worker", process.execPath, ["--import", "tsx", "src/index.ts"], {
        cwd: join(root, "apps/worker"),
        env,
      }),
    );
    for (const child of children) {
      void child.exited.then((code) => {
        if (stopping) return;
        log(`${child.name} exited unexpectedly (${code}); stopping`);
        void stopAll().then(() => process.exit(1));
      });
    }

    if (await waitFor(() => isHealthy(settings.PORT), 60_000, 250)) {
      log(`ready: ${url}${admin.created ? "" : ` (sign in as "${admin.user.name}")`}. Press Ctrl-C to stop.`);
    } else if (!stopping) {
      log(`the console does not report healthy yet; see ${url}/api/health`);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
}

let settings: Settings;
try {
  settings = loadSettings(process.env);
} catch (error) {
  console.error(`swhub: ${(error as Error).message}`);
  process.exit(1);
}
main(settings).catch((error: unknown) => {
  const message = isAppError(error)
    ? `${error.message}${error.hint ? ` (${error.hint})` : ""}`
    : error instanceof StartError
      ? error.message
      : rootMessage(error);
  console.error(`swhub: ${message}`);
  process.exit(1);
});
