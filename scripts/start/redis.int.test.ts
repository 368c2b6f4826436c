import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "./net";
import { ensureRedis, pingRedis } from "./redis";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "swhub-redis-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("finding Redis for pnpm start", () => {
  it("uses REDIS_URL when it answers", async () => {
    const choice = await ensureRedis({ redisUrl: "redis://127.0.0.1:6379", dataDir: dir });
    expect(choice).toEqual({ url: "redis://127.0.0.1:6379", source: "REDIS_URL" });
  });

  it("says so in one line when REDIS_URL does not answer", async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    await expect(ensureRedis({ redisUrl: url, dataDir: dir })).rejects.toThrow(
      `Redis at REDIS_URL (${url}) does not answer; start it or fix REDIS_URL`,
    );
  });

  it("starts its own redis-server under the data dir when none answers, and stops it", async () => {
    const choice = await ensureRedis({
      redisUrl: undefined,
      dataDir: dir,
      localUrl: `redis://127.0.0.1:${await findFreePort()}`,
    });
    try {
      expect(choice.source).toMatch(/^its own redis-server on port \d+$/);
      expect(await pingRedis(choice.url)).toBe(true);
      expect(existsSync(join(dir, "redis", "redis.log"))).toBe(true);
    } finally {
      await choice.child?.stop();
    }
    expect(await pingRedis(choice.url)).toBe(false);
  });

  it("tells how to install Redis when it is missing altogether", async () => {
    await expect(
      ensureRedis({
        redisUrl: undefined,
        dataDir: dir,
        localUrl: `redis://127.0.0.1:${await findFreePort()}`,
        path: dir,
      }),
    ).rejects.toThrow(/^Redis is not installed: install it with `apt-get install redis-server`/);
  });
});
