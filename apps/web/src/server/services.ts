import { resolve } from "node:path";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import type { BlobStore } from "@swhub/api/blobs/store";
import { createRedis } from "@swhub/api/queue";
import { createDb, type DbClient } from "@swhub/db/client";
import type { Redis } from "ioredis";
import { getEnv } from "~/env";

// One database pool and one Redis connection per server process. Kept on globalThis so that
// `next dev` reloading modules does not open new ones each time.
const holder = globalThis as unknown as {
  swhubDb?: Promise<DbClient>;
  swhubRedis?: Redis;
  swhubBlobs?: BlobStore;
};

export function getDb(): Promise<DbClient> {
  holder.swhubDb ??= createDb({ url: getEnv().DATABASE_URL });
  return holder.swhubDb;
}

export function getRedis(): Redis {
  holder.swhubRedis ??= createRedis(getEnv().REDIS_URL, "producer");
  return holder.swhubRedis;
}

export function getBlobStore(): BlobStore {
  const env = getEnv();
  // A run-time setting, not a path for the bundler to trace.
  const dir = resolve(/* turbopackIgnore: true */ env.SW_BLOB_DIR ?? `${env.DATA_DIR}/blobs`);
  holder.swhubBlobs ??= createDirectoryBlobStore(dir);
  return holder.swhubBlobs;
}
