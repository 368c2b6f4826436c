import { join, resolve } from "node:path";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { createJobEventBus } from "@swhub/api/job-bus";
import { createEnqueuer, createRedis } from "@swhub/api/queue";
import { createDb } from "@swhub/db/client";
import { jobCatalog } from "@swhub/shared/jobs";
import { type Env, inheritedEnvironment, loadEnv } from "./env";
import { createHandlers, defaultImageCacheDir } from "./handler-map";
import { startReconciler } from "./reconciler";
import { startWorkers } from "./worker";

async function main(env: Env) {
  const db = await createDb({ url: env.DATABASE_URL, maxConnections: 4 });
  const connection = createRedis(env.REDIS_URL, "worker");
  const producer = createRedis(env.REDIS_URL, "worker");
  const enqueuer = createEnqueuer(producer, env.SW_QUEUE_PREFIX);
  const bus = createJobEventBus({ url: env.REDIS_URL, prefix: env.SW_QUEUE_PREFIX });
  const blobs = createDirectoryBlobStore(resolve(env.SW_BLOB_DIR ?? `${env.DATA_DIR}/blobs`));
  const concurrency = {
    builds: env.SW_CONCURRENCY_BUILDS,
    images: env.SW_CONCURRENCY_IMAGES,
    maintenance: env.SW_CONCURRENCY_MAINTENANCE,
  };
  const lockMs = env.SW_JOB_LOCK_SECONDS * 1000;
  const running = await startWorkers({
    connection,
    db,
    blobs,
    bus,
    prefix: env.SW_QUEUE_PREFIX,
    concurrency,
    handlers: createHandlers({
      env: inheritedEnvironment(),
      indexUrl: env.SW_BUILD_INDEX_URL,
      findLinks: env.SW_BUILD_FIND_LINKS,
      images: {
        registry: env.SW_REGISTRY,
        username: env.SW_REGISTRY_USER,
        password: env.SW_REGISTRY_PASSWORD,
        insecure: env.SW_REGISTRY_INSECURE,
        baseImage: env.SW_BASE_IMAGE,
        basePython: env.SW_BASE_PYTHON,
        cacheDir: resolve(
          env.SW_IMAGE_CACHE_DIR ??
            (env.SW_WORK_DIR ? join(env.SW_WORK_DIR, "dockerize-cache") : defaultImageCacheDir()),
        ),
        cacheLimits: {
          maxBytes: env.SW_IMAGE_CACHE_MAX_GB * 2 ** 30,
          // What any image run still going may have used: its time limit.
          keepUsedWithinMs:
            (env.SW_IMAGE_TIMEOUT_SECONDS ?? jobCatalog["runtime.dockerize"].timeoutMs / 1000) * 1000,
        },
      },
    }),
    workRoot: env.SW_WORK_DIR ? resolve(env.SW_WORK_DIR) : undefined,
    timeoutMs: {
      ...(env.SW_BUILD_TIMEOUT_SECONDS ? { builds: env.SW_BUILD_TIMEOUT_SECONDS * 1000 } : {}),
      ...(env.SW_IMAGE_TIMEOUT_SECONDS ? { images: env.SW_IMAGE_TIMEOUT_SECONDS * 1000 } : {}),
    },
    lockDurationMs: lockMs,
    heartbeatMs: Math.max(250, lockMs / 6),
    staleClaimMs: lockMs,
  });
  const reconciler = startReconciler(
    {
      db,
      blobs,
      bus,
      enqueuer,
      connection: producer,
      prefix: env.SW_QUEUE_PREFIX,
      staleClaimMs: lockMs,
      requeueAfterMs: lockMs,
    },
    env.SW_RECONCILE_SECONDS * 1000,
  );
  for (const worker of running.workers) {
    worker.on("failed", (job, error) =>
      console.error(`worker: ${job?.name} ${job?.id} failed: ${error.message}`),
    );
    worker.on("error", (error) => console.error(`worker: ${worker.name}: ${error.message}`));
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`worker: ${signal}, finishing running jobs`);
    // Workers first, so running jobs finish and nothing new starts; then the connections they used.
    await reconciler.stop();
    await running.close();
    await enqueuer.close();
    await bus.close();
    await connection.quit();
    await producer.quit();
    await db.close();
    console.log("worker: stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  await Promise.all(running.workers.map((w) => w.waitUntilReady()));
  const summary = Object.entries(concurrency).map(([queue, n]) => `${queue}×${n}`);
  console.log(`worker: ready (${summary.join(", ")})`);
}

let env: Env;
try {
  env = loadEnv();
} catch (error) {
  console.error(`worker: ${(error as Error).message}`);
  process.exit(1);
}
main(env).catch((error: unknown) => {
  console.error(`worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
