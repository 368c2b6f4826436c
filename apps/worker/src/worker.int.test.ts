import { spawn } from "node:child_process";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRedis } from "@swhub/api/queue";
import { getJob, submitBuild } from "@swhub/api/services/jobs";
import { jobs } from "@swhub/db/schema";
import { type Job, Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "./handler-map";
import { slowBuildContext, uploadContext, waitForJob } from "./testing/build-context";
import { createJobTestEnv, type JobTestEnv } from "./testing/job-env";
import { type RunningWorkers, startWorkers } from "./worker";

let env: JobTestEnv;
let running: RunningWorkers;
const workerConnection = createRedis(process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379", "worker");

beforeAll(async () => {
  env = await createJobTestEnv();
  running = await startWorkers({
    connection: workerConnection,
    db: env.t.db,
    blobs: env.blobs,
    bus: env.bus,
    prefix: env.prefix,
    workRoot: env.workRoot,
    concurrency: { builds: 1, images: 1, maintenance: 1 },
    handlers: createHandlers({ env: process.env }),
    timeoutMs: { builds: 4_000 },
  });
});

afterAll(async () => {
  await running.close();
  await workerConnection.quit();
  await env.close();
});

/** Waits until the job has failed for good, then reads it as stored. */
async function waitForFailure(queueName: string, jobId: string): Promise<Job> {
  const queue = new Queue(queueName, { connection: env.producer, prefix: env.prefix });
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
  it("stops a build that runs past its time limit: failed with the reason, not retried, nothing left", async () => {
    const marker = join(await mkdtemp(join(tmpdir(), "swhub-timeout-")), "started");
    const contextDigest = await uploadContext(
      env.t.db,
      env.blobs,
      env.project,
      await slowBuildContext(marker, 60),
    );
    const { job } = await submitBuild(env.t.db, env.deps, {
      user: env.user,
      project: env.project,
      runtimeName: "slow",
      source: { kind: "yaml", contextDigest, yamlPath: "runtime.yaml" },
      tags: [],
      disableEnvLock: false,
      requestId: "timeout",
    });
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"], 60_000);
    expect(failed).toMatchObject({ state: "failed", error: "timed out after 4 s", attempt: 1 });
    expect(await readdir(env.workRoot)).toEqual([]);
  });

  it("fails runtime.dockerize on its row with a clear reason, without retrying", async () => {
    const [row] = await env.t.db
      .insert(jobs)
      .values({ kind: "runtime.dockerize", queue: "images", payload: {}, createdBy: Number(env.user.id) })
      .returning({ id: jobs.id });
    const { id } = await env.enqueuer.enqueue("runtime.dockerize", {
      ...buildPayload,
      jobId: String(row!.id),
      runtimeVersionId: "3",
    });
    const job = await waitForFailure("images", id);
    // This worker has no SW_REGISTRY: the job fails before it reads anything.
    expect(job.failedReason).toMatch(/^no image registry is configured on this server/);
    expect(job.attemptsMade).toBe(1);
    const stored = await getJob(env.t.db, { user: { ...env.user, isAdmin: true }, job: String(row!.id) });
    expect(stored.state).toBe("failed");
    expect(stored.error).toMatch(/^no image registry is configured on this server.*SW_REGISTRY/);
  });

  it("runs blobs.gc: a blob nothing refers to goes, the report is the job's result", async () => {
    const orphan = await uploadContext(env.t.db, env.blobs, env.project, { "runtime.yaml": "name: gone\n" });
    const { id } = await env.enqueuer.enqueue("blobs.gc", { olderThanSeconds: 0 });
    const queue = new Queue("maintenance", { connection: env.producer, prefix: env.prefix });
    try {
      await expect.poll(() => queue.getJobState(id), { timeout: 15_000, interval: 50 }).toBe("completed");
      expect((await queue.getJob(id))!.returnvalue.blobs).toBeGreaterThanOrEqual(1);
    } finally {
      await queue.close();
    }
    expect(await env.blobs.has(orphan)).toBe(false);
  });

  it("refuses a job whose payload does not match the catalog, naming the field", async () => {
    const queue = new Queue("builds", { connection: env.producer, prefix: env.prefix });
    const job = await queue.add("runtime.build", { ...buildPayload, runtimeName: 42 }, { attempts: 3 });
    await queue.close();
    const failed = await waitForFailure("builds", job.id!);
    expect(failed.failedReason).toMatch(/^Invalid runtime.build payload: runtimeName: /);
    expect(failed.attemptsMade).toBe(1);
  });

  it("refuses a job name that does not belong to the queue", async () => {
    const queue = new Queue("maintenance", { connection: env.producer, prefix: env.prefix });
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
    const proc = run({
      DATABASE_URL: env.t.url,
      REDIS_URL: env.redisUrl,
      SW_QUEUE_PREFIX: env.prefix,
      SW_BLOB_DIR: env.blobDir,
    });
    await expect
      .poll(proc.output, { timeout: 20_000 })
      .toContain("worker: ready (builds×1, images×1, maintenance×1)");
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain("worker: stopped");
  });

  it("exits 1 with one line naming a bad setting", async () => {
    const proc = run({ DATABASE_URL: env.t.url, SW_CONCURRENCY_BUILDS: "zero" });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe(
      "worker: Invalid setting SW_CONCURRENCY_BUILDS: Invalid input: expected number, received NaN",
    );
  });
});
