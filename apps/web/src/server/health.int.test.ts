import { createServer } from "node:net";
import { createRedis } from "@swhub/api/queue";
import { createDb } from "@swhub/db/client";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkHealth } from "./health";

const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

it("is ok when the database and Redis answer", async () => {
  const redis = createRedis(redisUrl, "producer");
  try {
    expect(await checkHealth({ db: async () => t.db, redis: () => redis })).toEqual({
      ok: true,
      database: { ok: true },
      redis: { ok: true },
    });
  } finally {
    redis.disconnect();
  }
});

it("names the part that does not answer", async () => {
  const deadDb = await createDb({ url: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres` });
  const deadRedis = createRedis(`redis://127.0.0.1:${await closedPort()}`, "producer");
  deadRedis.on("error", () => {}); // reconnect attempts are expected here
  try {
    const health = await checkHealth({ db: async () => deadDb, redis: () => deadRedis });
    expect(health.ok).toBe(false);
    expect(health.database).toEqual({ ok: false, error: expect.stringContaining("ECONNREFUSED") });
    expect(health.redis).toEqual({ ok: false, error: expect.stringContaining("ECONNREFUSED") });
  } finally {
    deadRedis.disconnect();
    await deadDb.close();
  }
});

it("is not ok when only Redis is away", async () => {
  const deadRedis = createRedis(`redis://127.0.0.1:${await closedPort()}`, "producer");
  deadRedis.on("error", () => {});
  try {
    const health = await checkHealth({ db: async () => t.db, redis: () => deadRedis });
    expect(health).toMatchObject({ ok: false, database: { ok: true }, redis: { ok: false } });
  } finally {
    deadRedis.disconnect();
  }
});
