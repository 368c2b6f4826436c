// Job events and job overhead, against baselines measured in the same run:
//
//   1. latency from a worker's progress report (`ctx.progress` → the run's event writer) to the event arriving at
//      an SSE client of `GET /api/jobs/<id>/events`, p50/p95 over 1,000 events (target: p95 < 100 ms), next to a
//      raw Redis pub/sub round trip (PUBLISH → a subscriber's message) over 1,000 messages;
//   2. the end-to-end time of a no-op job (submitBuild → the worker claims, runs nothing, publishes → the final
//      state at an SSE client), next to a bare BullMQ job (Queue.add → a no-op Worker → QueueEvents completed).
//
//   pnpm tsx bench/jobs.ts [--events 1000] [--jobs 50]
// Needs Postgres (SW_TEST_DATABASE_URL) and Redis (SW_TEST_REDIS_URL, default redis://127.0.0.1:6379).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { serveApi } from "@swhub/api/http";
import { createJobEventBus } from "@swhub/api/job-bus";
import { createEnqueuer, createRedis } from "@swhub/api/queue";
import { createApiToken } from "@swhub/api/services/api-tokens";
import { ingestBlob } from "@swhub/api/services/blob-ingest";
import { appendJobEvents, listJobEvents } from "@swhub/api/services/job-events";
import { submitBuild } from "@swhub/api/services/jobs";
import { createProject } from "@swhub/api/services/projects";
import { createUser } from "@swhub/api/services/users";
import { jobs } from "@swhub/db/schema";
import { createTestDatabase } from "@swhub/db/testing";
import type { JobEvent } from "@swhub/shared/jobs";
import { createEventWriter } from "@swhub/worker/event-writer";
import { notImplemented } from "@swhub/worker/handlers";
import { startWorkers } from "@swhub/worker/worker";
import { Queue, QueueEvents, Worker } from "bullmq";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";

const { values } = parseArgs({
  options: { events: { type: "string", default: "1000" }, jobs: { type: "string", default: "50" } },
});
const eventCount = Number(values.events);
const jobCount = Number(values.jobs);
const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `swhub-bench-${randomBytes(4).toString("hex")}`;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
function summary(label: string, samples: number[]): { p50: number; p95: number } {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
  const p50 = quantile(sorted, 0.5);
  const p95 = quantile(sorted, 0.95);
  console.log(
    `  ${label.padEnd(46)} n=${samples.length}  p50 ${p50.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  max ${sorted.at(-1)!.toFixed(2)} ms`,
  );
  return { p50, p95 };
}

/** Reads an SSE response, calling `onEvent` with each job event and its arrival time. */
async function readSse(response: Response, onEvent: (event: JobEvent, at: number) => boolean | undefined) {
  let buffer = "";
  for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
    const at = performance.now();
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(frame);
      if (data && onEvent(JSON.parse(data[1]!) as JobEvent, at)) return;
    }
  }
}

async function redisRoundTrips(): Promise<number[]> {
  const publisher = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const channel = `${prefix}:baseline`;
  const sent = new Map<number, number>();
  const samples: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  subscriber.on("message", (_channel: string, message: string) => {
    const at = performance.now();
    const { i } = JSON.parse(message) as { i: number };
    samples.push(at - sent.get(i)!);
    if (samples.length === eventCount) done();
  });
  await subscriber.subscribe(channel);
  for (let i = 0; i < eventCount; i++) {
    sent.set(i, performance.now());
    // A payload the size of a progress event's.
    await publisher.publish(
      channel,
      JSON.stringify({ i, type: "progress", phase: "install", percent: i / 10 }),
    );
    await sleep(2);
  }
  await finished;
  publisher.disconnect();
  subscriber.disconnect();
  return samples;
}

async function main() {
  const t = await createTestDatabase();
  const blobDir = await mkdtemp(join(tmpdir(), "swhub-bench-jobs-"));
  const blobs = createDirectoryBlobStore(blobDir);
  const producer = createRedis(redisUrl, "worker");
  const bus = createJobEventBus({ url: redisUrl, prefix });
  const enqueuer = createEnqueuer(producer, prefix);
  const deps = { enqueuer, bus };
  const api = await serveApi({ db: t.db, blobs, jobs: deps });
  const user = await createUser(t.db, { name: "bench", password: "bench-password" });
  const project = await createProject(t.db, { name: "bench", ownerId: user.id });
  const headers = {
    authorization: `Bearer ${(await createApiToken(t.db, { userId: user.id, name: "bench" })).token}`,
  };
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    console.log(`bench/jobs: ${eventCount} events, ${jobCount} jobs (Postgres, Redis on loopback)`);

    console.log("progress report → SSE client");
    const baseline = summary("baseline: Redis PUBLISH → subscriber", await redisRoundTrips());

    const [row] = await t.db
      .insert(jobs)
      .values({
        kind: "runtime.build",
        queue: "builds",
        projectId: Number(project.id),
        payload: {},
        state: "running",
      })
      .returning({ id: jobs.id });
    const jobId = row!.id;
    const sse = await fetch(`${api.url}/api/jobs/${jobId}/events`, { headers });
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const reading = readSse(sse, (event, at) => {
      if (event.type === "progress") latencies.push(at - sent.get(String(event.percent))!);
      return event.type === "state" && event.state === "succeeded";
    });
    await sleep(200); // subscribed
    const writer = createEventWriter({ db: t.db, bus, jobId, onStoreFailure: (e) => console.error(e) });
    for (let i = 0; i < eventCount; i++) {
      const percent = (i * 100) / eventCount;
      sent.set(String(percent), performance.now());
      writer.push({ type: "progress", phase: "install", percent });
      await sleep(2);
    }
    await writer.flush();
    await t.db.update(jobs).set({ state: "succeeded" }).where(eq(jobs.id, jobId));
    await bus.publish(
      String(jobId),
      await appendJobEvents(t.db, jobId, [{ type: "state", state: "succeeded" }]),
    );
    await reading;
    const ours = summary("swhub: ctx.progress → SSE event", latencies);
    console.log(
      `  ratio p95 ${(ours.p95 / baseline.p95).toFixed(1)}× the Redis round trip; target p95 < 100 ms: ${ours.p95 < 100 ? "met" : "MISSED"}`,
    );

    console.log("no-op job, end to end");
    const bareQueue = new Queue(`${prefix}-bare`, { connection: producer });
    const bareConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const bareWorker = new Worker(`${prefix}-bare`, async () => ({}), { connection: bareConnection });
    const bareEvents = new QueueEvents(`${prefix}-bare`, {
      connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    });
    cleanups.push(async () => {
      await bareWorker.close();
      await bareEvents.close();
      await bareQueue.obliterate({ force: true });
      await bareQueue.close();
      bareConnection.disconnect();
    });
    await bareWorker.waitUntilReady();
    await bareEvents.waitUntilReady();
    const bare: number[] = [];
    for (let i = 0; i < jobCount; i++) {
      const started = performance.now();
      const job = await bareQueue.add("noop", { i });
      await job.waitUntilFinished(bareEvents);
      bare.push(performance.now() - started);
    }
    const bareSummary = summary("baseline: bare BullMQ add → completed", bare);

    const workerConnection = createRedis(redisUrl, "worker");
    const running = await startWorkers({
      connection: workerConnection,
      db: t.db,
      blobs,
      bus,
      prefix,
      concurrency: { builds: 1, images: 1, maintenance: 1 },
      handlers: {
        "runtime.build": async () => ({ noop: true }),
        "runtime.dockerize": notImplemented("runtime.dockerize"),
        "blobs.gc": notImplemented("blobs.gc"),
      },
    });
    cleanups.push(async () => {
      await running.close();
      workerConnection.disconnect();
    });
    await Promise.all(running.workers.map((w) => w.waitUntilReady()));
    const { digest } = await ingestBlob(t.db, blobs, {
      projectId: Number(project.id),
      source: [Buffer.from("context")],
    });
    const noop: number[] = [];
    const pickup: number[] = [];
    const run: number[] = [];
    for (let i = 0; i < jobCount; i++) {
      const started = performance.now();
      const { job } = await submitBuild(t.db, deps, {
        user,
        project: "bench",
        runtimeName: "noop",
        source: { kind: "yaml", contextDigest: digest, yamlPath: "runtime.yaml" },
        tags: [],
        disableEnvLock: false,
        requestId: `noop-${i}`,
      });
      const stream = await fetch(`${api.url}/api/jobs/${job.id}/events`, { headers });
      const states: Record<string, number> = {};
      await readSse(stream, (event) => {
        if (event.type === "state") states[event.state] = Date.parse(event.at);
        return event.type === "state" && event.state === "succeeded";
      });
      noop.push(performance.now() - started);
      if (states.running === undefined) {
        console.log(
          `  job ${job.id}: no running event in ${JSON.stringify(await listJobEvents(t.db, Number(job.id), 0))}`,
        );
      }
      pickup.push(states.running! - states.queued!);
      run.push(states.succeeded! - states.running!);
    }
    summary("  of which queued → running (pickup, claim)", pickup);
    summary("  of which running → succeeded (run, publish)", run);
    const noopSummary = summary("swhub: submitBuild → succeeded at SSE client", noop);
    console.log(
      `  ratio p50 ${(noopSummary.p50 / bareSummary.p50).toFixed(1)}× a bare BullMQ job (+${(noopSummary.p50 - bareSummary.p50).toFixed(1)} ms: rows, claim, events, SSE)`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await api.close();
    await enqueuer.close();
    for (const name of ["builds", "images", "maintenance"]) {
      const queue = new Queue(name, { connection: producer, prefix });
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    }
    await bus.close();
    producer.disconnect();
    await t.drop();
    await rm(blobDir, { recursive: true, force: true });
  }
}

await main();
// BullMQ and ioredis keep sockets that are not worth tracking down in a one-shot script.
process.exit(0);
