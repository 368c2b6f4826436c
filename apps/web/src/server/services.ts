import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import type { BlobStore } from "@swhub/api/blobs/store";
import { createJobEventBus } from "@swhub/api/job-bus";
import { createEnqueuer, createRedis } from "@swhub/api/queue";
import type { JobDeps } from "@swhub/api/services/jobs";
import { createDb, type DbClient } from "@swhub/db/client";
import type { Redis } from "ioredis";
import { blobDirectory, getEnv } from "~/env";

// One database pool and one Redis connection per server process. Kept on globalThis so that
// `next dev` reloading modules does not open new ones each time.
const holder = globalThis as unknown as {
  swhubDb?: Promise<DbClient>;
  swhubRedis?: Redis;
  swhubBlobs?: BlobStore;
  swhubJobs?: JobDeps;
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
  holder.swhubBlobs ??= createDirectoryBlobStore(blobDirectory(getEnv()));
  return holder.swhubBlobs;
}

/** The job queue (to enqueue builds) and the event bus (live job events), one of each per server process. */
export function getJobDeps(): JobDeps {
  const env = getEnv();
  holder.swhubJobs ??= {
    enqueuer: createEnqueuer(getRedis(), env.SW_QUEUE_PREFIX),
    bus: createJobEventBus({ url: env.REDIS_URL, prefix: env.SW_QUEUE_PREFIX }),
  };
  return holder.swhubJobs;
}
