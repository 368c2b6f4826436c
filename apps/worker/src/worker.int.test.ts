import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createEnqueuer, createRedis } from "@swhub/api/queue";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { type Job, Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handlers } from "./handlers";
import { type RunningWorkers, startWorkers } from "./worker";

const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// Our own key prefix keeps this test's queues apart from anything else on the shared Redis.
const prefix = `swhub-test-${randomBytes(4).toString("hex")}`;

let t: TestDatabase;
let running: RunningWorkers;
const workerConnection = createRedis(redisUrl, "worker");
const producerConnection = createRedis(redisUrl, "producer");
const enqueuer = createEnqueuer(producerConnection, prefix);

beforeAll(async () => {
  t = await createTestDatabase();
  running = startWorkers({
    connection: workerConnection,
    db: t.db,
    prefix,
    concurrency: { builds: 1, images: 1, maintenance: 1 },
    handlers,
  });
});

afterAll(async () => {
  await running.close();
  await enqueuer.close();
  for (const name of ["builds", "images", "maintenance"]) {
    const queue = new Queue(name, { connection: producerConnection, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await workerConnection.quit();
  await producerConnection.quit();
  await t.drop();
});

/** Waits until the job has failed for good, then reads it as stored. */
async function waitForFailure(queueName: string, jobId: string): Promise<Job> {
  const queue = new Queue(queueName, { connection: producerConnection, prefix });
  try {
    await expect.poll(() => queue.getJobState(jobId), { timeout: 15_000, interval: 50 }).toBe("failed");
    return (await queue.getJob(jobId))!;
  } finally {
    await queue.close();
  }
}

const buildPayload = {
  jobId: "7",
  requestId: "req-7",
  projectId: "1",
  createdBy: "1",
  runtimeName: "mnist",
  source: { kind: "docker" as const, image: "python:3.11" },
};

describe("workers", () => {
  it("fails runtime.build at once with a clear reason, without retrying", async () => {
    const { id } = await enqueuer.enqueue("runtime.build", buildPayload);
    const job = await waitForFailure("builds", id);
    expect(job.failedReason).toBe("runtime.build is not implemented yet in this worker");
    // The catalog allows 2 attempts; an unrecoverable failure uses only one.
    expect(job.attemptsMade).toBe(1);
  });

  it("fails runtime.dockerize on the images queue the same way", async () => {
    const { id } = await enqueuer.enqueue("runtime.dockerize", {
      ...buildPayload,
      jobId: "8",
      runtimeVersionId: "3",
    });
    const job = await waitForFailure("images", id);
    expect(job.failedReason).toBe("runtime.dockerize is not implemented yet in this worker");
  });

  it("refuses a job whose payload does not match the catalog, naming the field", async () => {
    const queue = new Queue("builds", { connection: producerConnection, prefix });
    const job = await queue.add("runtime.build", { ...buildPayload, runtimeName: 42 }, { attempts: 3 });
    await queue.close();
    const failed = await waitForFailure("builds", job.id!);
    expect(failed.failedReason).toMatch(/^Invalid runtime.build payload: runtimeName: /);
    expect(failed.attemptsMade).toBe(1);
  });

  it("refuses a job name that does not belong to the queue", async () => {
    const queue = new Queue("maintenance", { connection: producerConnection, prefix });
    const job = await queue.add("runtime.build", buildPayload);
    await queue.close();
    const failed = await waitForFailure("maintenance", job.id!);
    expect(failed.failedReason).toBe('Unknown job "runtime.build" on queue "maintenance"');
  });
});

describe("the worker process", () => {
  const entry = fileURLToPath(new URL("./index.ts", import.meta.url));

  function run(env: Record<string, string>) {
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, output: () => output };
  }

  it("starts, then stops cleanly with exit code 0 on SIGTERM", async () => {
    const proc = run({ DATABASE_URL: t.url, REDIS_URL: redisUrl, SW_QUEUE_PREFIX: prefix });
    await expect
      .poll(proc.output, { timeout: 20_000 })
      .toContain("worker: ready (builds×1, images×1, maintenance×1)");
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain("worker: stopped");
  });

  it("exits 1 with one line naming a bad setting", async () => {
    const proc = run({ DATABASE_URL: t.url, SW_CONCURRENCY_BUILDS: "zero" });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe(
      "worker: Invalid setting SW_CONCURRENCY_BUILDS: Invalid input: expected number, received NaN",
    );
  });
});
