import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { createJobEventBus, type JobEventBus } from "@swhub/api/job-bus";
import { createEnqueuer, createRedis, type Enqueuer } from "@swhub/api/queue";
import type { JobDeps } from "@swhub/api/services/jobs";
import { createProject } from "@swhub/api/services/projects";
import { createUser, type SessionUser } from "@swhub/api/services/users";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { queueNames } from "@swhub/shared/jobs";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";

export const testRedisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * What a jobs test needs, all real: its own database, a blob store and work root in fresh temp directories, a
 * queue prefix of its own on the shared Redis, the bus and the enqueuer, a maintainer and a project.
 */
export interface JobTestEnv {
  t: TestDatabase;
  prefix: string;
  redisUrl: string;
  blobDir: string;
  workRoot: string;
  blobs: ReturnType<typeof createDirectoryBlobStore>;
  bus: JobEventBus;
  enqueuer: Enqueuer;
  producer: Redis;
  deps: JobDeps;
  user: SessionUser;
  project: string;
  close(): Promise<void>;
}

export async function createJobTestEnv(options: { redisUrl?: string } = {}): Promise<JobTestEnv> {
  const redisUrl = options.redisUrl ?? testRedisUrl;
  const t = await createTestDatabase();
  const prefix = `swhub-test-${randomBytes(4).toString("hex")}`;
  const blobDir = mkdtempSync(join(tmpdir(), "swhub-job-blobs-"));
  const workRoot = mkdtempSync(join(tmpdir(), "swhub-job-work-"));
  const blobs = createDirectoryBlobStore(blobDir);
  const bus = createJobEventBus({ url: redisUrl, prefix });
  const producer = createRedis(redisUrl, "worker");
  const enqueuer = createEnqueuer(producer, prefix);
  const user = await createUser(t.db, { name: "builder", password: "builder-password" });
  const project = (await createProject(t.db, { name: "builds", ownerId: user.id })).name;
  return {
    t,
    prefix,
    redisUrl,
    blobDir,
    workRoot,
    blobs,
    bus,
    enqueuer,
    producer,
    deps: { enqueuer, bus },
    user,
    project,
    async close() {
      await enqueuer.close();
      for (const name of queueNames) {
        const queue = new Queue(name, { connection: producer, prefix });
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
      }
      await bus.close();
      producer.disconnect();
      await t.drop();
      await rm(blobDir, { recursive: true, force: true });
      await rm(workRoot, { recursive: true, force: true });
    },
  };
}
