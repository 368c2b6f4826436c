import { createRedis } from "@swhub/api/queue";
import { createDb } from "@swhub/db/client";
import { type Env, loadEnv } from "./env";
import { handlers } from "./handlers";
import { startWorkers } from "./worker";

async function main(env: Env) {
  const db = await createDb({ url: env.DATABASE_URL, maxConnections: 4 });
  const connection = createRedis(env.REDIS_URL, "worker");
  const concurrency = {
    builds: env.SW_CONCURRENCY_BUILDS,
    images: env.SW_CONCURRENCY_IMAGES,
    maintenance: env.SW_CONCURRENCY_MAINTENANCE,
  };
  const running = startWorkers({ connection, db, prefix: env.SW_QUEUE_PREFIX, concurrency, handlers });
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
    await running.close();
    await connection.quit();
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
