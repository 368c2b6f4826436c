// Global set-up for the integration tier. Services are started by scripts/test-all.sh (or already running);
// this only checks that they answer, so a missing service fails with one clear line instead of many timeouts.
import { dropStaleTestDatabases } from "@swhub/db/testing";
import { Redis } from "ioredis";
import postgres from "postgres";

const databaseUrl = process.env.SW_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function checkPostgres(): Promise<string | undefined> {
  const sql = postgres(databaseUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    return `Postgres does not answer at ${databaseUrl} (${(error as Error).message}); run \`bash scripts/test-all.sh\` or set SW_TEST_DATABASE_URL`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function checkRedis(): Promise<string | undefined> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    return `Redis does not answer at ${redisUrl} (${(error as Error).message}); run \`bash scripts/test-all.sh\` or set SW_TEST_REDIS_URL`;
  } finally {
    redis.disconnect();
  }
}

export default async function setup() {
  const problems = (await Promise.all([checkPostgres(), checkRedis()])).filter(Boolean);
  if (problems.length) throw new Error(problems.join("\n"));
  await dropStaleTestDatabases({ adminUrl: databaseUrl });
}
