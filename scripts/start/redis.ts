import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { type Child, startChild } from "./children";
import { findFreePort, waitFor } from "./net";

export async function pingRedis(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function findOnPath(command: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(":").filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      await access(candidate, 1);
      return candidate;
    } catch {}
  }
  return undefined;
}

export interface RedisChoice {
  url: string;
  /** Set when we started redis-server ourselves; it is stopped with us. */
  child?: Child;
  source: string;
}

/**
 * REDIS_URL when set; else a Redis already answering on 127.0.0.1:6379; else a redis-server of our own
 * under $DATA_DIR/redis on a free loopback port. Throws one line when none of these is possible.
 */
export async function ensureRedis(options: {
  redisUrl: string | undefined;
  dataDir: string;
  /** Where a Redis usually answers; tests point it elsewhere. */
  localUrl?: string;
  /** Where to look for redis-server. */
  path?: string;
}): Promise<RedisChoice> {
  const { redisUrl, dataDir } = options;
  if (redisUrl) {
    if (await pingRedis(redisUrl)) return { url: redisUrl, source: "REDIS_URL" };
    throw new Error(`Redis at REDIS_URL (${redisUrl}) does not answer; start it or fix REDIS_URL`);
  }
  const local = options.localUrl ?? "redis://127.0.0.1:6379";
  if (await pingRedis(local)) return { url: local, source: local.replace("redis://", "") };

  const server = await findOnPath("redis-server", options.path ?? process.env.PATH ?? "");
  if (!server) {
    throw new Error(
      "Redis is not installed: install it with `apt-get install redis-server` (or set REDIS_URL to a running Redis)",
    );
  }
  const dir = join(dataDir, "redis");
  await mkdir(dir, { recursive: true });
  const port = await findFreePort();
  const child = startChild(
    "redis",
    server,
    [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--dir",
      dir,
      // Queue state survives restarts; an append-only file loses at most a second of it.
      "--appendonly",
      "yes",
      "--save",
      "",
      "--logfile",
      join(dir, "redis.log"),
    ],
    { cwd: dir },
  );
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitFor(() => pingRedis(url), 10_000))) {
    await child.stop();
    throw new Error(`redis-server did not start; see ${join(dir, "redis.log")}`);
  }
  return { url, child, source: `its own redis-server on port ${port}` };
}
