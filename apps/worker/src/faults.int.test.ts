import { readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { listJobEvents } from "@swhub/api/services/job-events";
import { submitBuild } from "@swhub/api/services/jobs";
import { blobs, projectBlobs, runtimeVersions } from "@swhub/db/schema";
import { buildWheel, makeTempDir } from "@swhub/runtime/testing/python";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { slowBuildContext, uploadContext, waitForJob } from "./testing/build-context";
import { createJobTestEnv, type JobTestEnv } from "./testing/job-env";
import { type Proc, startPrivateRedis, startWorkerProcess } from "./testing/processes";

// Workers run as real child processes (killed for real); Redis is a private redis-server that is restarted;
// Postgres is a private database that is made unavailable. Claims go stale after 3 s here instead of 30 s.
let env: JobTestEnv;
let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
let wheels: string;
let work: string;
const workers: Proc[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  env = await createJobTestEnv({ redisUrl: redis.url });
  work = await makeTempDir("job-faults");
  wheels = join(work, "wheels");
  await buildWheel(wheels, { name: "beta", version: "2.0" });
});

afterEach(async () => {
  for (const proc of workers.splice(0)) {
    proc.child.kill("SIGKILL");
    await proc.exited;
  }
});

afterAll(async () => {
  await env?.close();
  await redis?.stop();
  await rm(work, { recursive: true, force: true });
});

function worker(extra: Record<string, string> = {}): Promise<Proc> {
  return startWorkerProcess({
    DATABASE_URL: env.t.url,
    REDIS_URL: redis.url,
    SW_QUEUE_PREFIX: env.prefix,
    SW_BLOB_DIR: env.blobDir,
    SW_WORK_DIR: env.workRoot,
    SW_BUILD_FIND_LINKS: wheels,
    SW_JOB_LOCK_SECONDS: "3",
    SW_RECONCILE_SECONDS: "1",
    ...extra,
  }).then((proc) => {
    workers.push(proc);
    return proc;
  });
}

async function submit(files: Record<string, string>, requestId: string) {
  const contextDigest = await uploadContext(env.t.db, env.blobs, env.project, files);
  const { job } = await submitBuild(env.t.db, env.deps, {
    user: env.user,
    project: env.project,
    runtimeName: "demo",
    source: { kind: "yaml", contextDigest, yamlPath: "runtime.yaml" },
    tags: [],
    disableEnvLock: false,
    requestId,
  });
  return { job, contextDigest };
}

const quickYaml = 'name: demo\nmode: venv\nenvironment:\n  python: "3.11"\ndependencies:\n  - pip: [beta]\n';

async function stagedUploads(): Promise<string[]> {
  const ids: string[] = [];
  for await (const upload of env.blobs.listUploads()) ids.push(upload.uploadId);
  return ids;
}

/** Blobs no version refers to, other than build contexts: what a half-finished publish would leave. */
async function orphanBlobs(contexts: string[]): Promise<string[]> {
  const rows = await env.t.db
    .select({ digest: blobs.digest })
    .from(blobs)
    .where(sql`NOT EXISTS (SELECT 1 FROM ${runtimeVersions} v WHERE v.bundle_digest = ${blobs.digest})`);
  const claims = await env.t.db
    .select({ digest: projectBlobs.digest })
    .from(projectBlobs)
    .where(
      sql`NOT EXISTS (SELECT 1 FROM ${runtimeVersions} v WHERE v.bundle_digest = ${projectBlobs.digest})`,
    );
  return [...rows, ...claims].map((r) => r.digest).filter((d) => !contexts.includes(d));
}

const pidIn = (marker: string) => readFile(marker, "utf8").catch(() => "");

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

describe("faults", () => {
  it("a worker SIGKILLed mid-build: another worker builds it again from scratch; one version, no orphans", async () => {
    const marker = join(work, "killed-started");
    const { job, contextDigest } = await submit(await slowBuildContext(marker, 4), "sigkill");
    const first = await worker();
    await expect.poll(() => pidIn(marker), { timeout: 60_000 }).not.toBe("");
    const orphanPip = Number(await pidIn(marker));
    first.child.kill("SIGKILL");
    await first.exited;
    kill(orphanPip); // the dead worker's pip would finish on its own; it can't publish anything either way
    await rm(marker, { force: true });

    await worker();
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"], 120_000);
    expect(done).toMatchObject({ state: "succeeded", attempt: 2 });
    const events = await listJobEvents(env.t.db, Number(job.id), 0, { limit: 10_000 });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Taken back by the reconciler, or by BullMQ's stalled-job check: either way a second run from scratch.
    const states = events.flatMap((e) =>
      e.type === "state" ? [`${e.state}${e.reason ? `: ${e.reason}` : ""}`] : [],
    );
    expect(states.slice(0, 2)).toEqual(["queued", "running"]);
    expect(states.slice(-2)).toEqual(["running: attempt 2", "succeeded"]);
    expect(await env.t.db.select().from(runtimeVersions)).toHaveLength(1);
    expect(await stagedUploads()).toEqual([]);
    expect(await orphanBlobs(await contextDigests())).toEqual([]);
    expect(contextDigest).toMatch(/^sha256:/);
  }, 180_000);

  it("a Redis restart loses no queued job, and a queued job Redis forgot is queued again", async () => {
    const kept = await submit({ "runtime.yaml": quickYaml }, "redis-restart");
    await redis.restart();
    await worker();
    expect((await waitForJob(env.t.db, env.user, kept.job.id, ["succeeded", "failed"], 60_000)).state).toBe(
      "succeeded",
    );

    // Redis loses everything (no persistence, a new instance): the row is the truth, and the reconciler re-adds it.
    for (const proc of workers.splice(0)) {
      proc.child.kill("SIGTERM");
      await proc.exited;
    }
    const forgotten = await submit({ "runtime.yaml": quickYaml }, "redis-forgot");
    await env.producer.flushall();
    await worker();
    expect(
      (await waitForJob(env.t.db, env.user, forgotten.job.id, ["succeeded", "failed"], 60_000)).state,
    ).toBe("succeeded");
  }, 180_000);

  it("a Postgres outage mid-build ends the job cleanly, the worker survives and goes on", async () => {
    const marker = join(work, "outage-started");
    const versionsBefore = (await env.t.db.select().from(runtimeVersions)).length;
    const { job, contextDigest } = await submit(await slowBuildContext(marker, 12), "pg-outage");
    const proc = await worker();
    await expect.poll(() => pidIn(marker), { timeout: 60_000 }).not.toBe("");
    const backendPid = Number(await pidIn(marker));

    const admin = postgres(
      process.env.SW_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
      {
        max: 1,
        onnotice: () => {},
      },
    );
    try {
      await admin.unsafe(`ALTER DATABASE "${env.t.name}" ALLOW_CONNECTIONS false`);
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${env.t.name}`;
      // The run notices within a heartbeat and stops pip; its directory goes.
      await expect.poll(() => isRunning(backendPid), { timeout: 20_000 }).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(proc.child.exitCode).toBeNull();
    } finally {
      await admin.unsafe(`ALTER DATABASE "${env.t.name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    // Once the database is back the job ends: failed with the reason, or run again (and then its slow build
    // runs once more); either way no half version and no orphan.
    await rm(marker, { force: true });
    const ended = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"], 120_000);
    if (ended.state === "failed") expect(ended.error).toMatch(/database is unavailable/);
    const versions = (await env.t.db.select().from(runtimeVersions)).length;
    expect(versions - versionsBefore).toBe(ended.state === "succeeded" ? 1 : 0);
    expect(await stagedUploads()).toEqual([]);
    expect(await orphanBlobs(await contextDigests())).toEqual([]);
    expect(proc.child.exitCode).toBeNull();
    expect(contextDigest).toMatch(/^sha256:/);

    const after = await submit({ "runtime.yaml": quickYaml }, "after-outage");
    expect((await waitForJob(env.t.db, env.user, after.job.id, ["succeeded", "failed"], 60_000)).state).toBe(
      "succeeded",
    );
  }, 240_000);
});

async function contextDigests(): Promise<string[]> {
  const rows = await env.t.db.execute(sql`SELECT payload->'source'->>'contextDigest' AS digest FROM jobs`);
  const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows) as Array<{
    digest: string;
  }>;
  return list.map((r) => r.digest);
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
