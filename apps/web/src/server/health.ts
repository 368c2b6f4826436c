import { once } from "node:events";
import type { Database } from "@swhub/db/client";
import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";

export interface CheckResult {
  ok: boolean;
  error?: string;
}

export interface Health {
  ok: boolean;
  database: CheckResult;
  redis: CheckResult;
}

const timeoutMs = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The innermost cause says what went wrong (drizzle wraps driver errors in "Failed query: ..."). */
function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message || current.name : String(current);
}

async function check(run: () => Promise<unknown>, what: string): Promise<CheckResult> {
  try {
    await withTimeout(run(), what);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: rootMessage(error) };
  }
}

/** Checks that the database answers `select 1` and Redis answers PING, each within two seconds. */
export async function checkHealth(deps: {
  db: () => Promise<Database>;
  redis: () => Redis;
}): Promise<Health> {
  const [database, redis] = await Promise.all([
    check(async () => (await deps.db()).execute(sql`select 1`), "the database"),
    check(async () => {
      const client = deps.redis();
      // A producer connection does not queue commands while it connects, so wait for it first.
      if (client.status !== "ready") await once(client, "ready");
      return client.ping();
    }, "Redis"),
  ]);
  return { ok: database.ok && redis.ok, database, redis };
}
