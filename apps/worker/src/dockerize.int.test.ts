import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { createRedis } from "@swhub/api/queue";
import { ingestBlob } from "@swhub/api/services/blob-ingest";
import { submitDockerize } from "@swhub/api/services/dockerize-jobs";
import { listJobEvents } from "@swhub/api/services/job-events";
import { cancelJob } from "@swhub/api/services/jobs";
import { addMember } from "@swhub/api/services/members";
import { commitVersion } from "@swhub/api/services/runtime-commit";
import { getVersionInfo } from "@swhub/api/services/runtime-info";
import { createUser } from "@swhub/api/services/users";
import { jobs, projects } from "@swhub/db/schema";
import { packEnv } from "@swhub/runtime/bundle/packed-env";
import { blobPath, type PruneLimits } from "@swhub/runtime/oci/layout";
import {
  chroot,
  type DockerizeFixture,
  fixtureWheels,
  pullRootfs,
  skopeoJson,
  startDockerizeFixture,
  uploadsSince,
} from "@swhub/runtime/testing/dockerize-fixture";
import { createVenv, makeTempDir, pipInstall, pythonInfo } from "@swhub/runtime/testing/python";
import { writeRuntimeVersion } from "@swhub/runtime/testing/runtime-bundles";
import { dockerizePhases } from "@swhub/shared/jobs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "./handler-map";
import { waitForJob } from "./testing/build-context";
import { createJobTestEnv, type JobTestEnv } from "./testing/job-env";
import { type RunningWorkers, startWorkers } from "./worker";

// Real Postgres, Redis, docker-registry, skopeo, umoci and chroot. The version is seeded through the services: a
// runtime built with --pack-env from wheels (tinypkg01, tinypkg02), its bundle ingested and committed.
let env: JobTestEnv;
let f: DockerizeFixture;
let running: RunningWorkers | undefined;
let version: string;
let cacheDir: string;
const connection = createRedis(process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379", "worker");

async function startImageWorkers(
  images: { registry?: string; insecure?: boolean; cacheLimits?: PruneLimits },
  timeoutMs?: number,
) {
  await running?.close();
  running = await startWorkers({
    connection,
    db: env.t.db,
    blobs: env.blobs,
    bus: env.bus,
    prefix: env.prefix,
    workRoot: env.workRoot,
    concurrency: { builds: 1, images: 1, maintenance: 1 },
    handlers: createHandlers({
      env: process.env,
      images: { ...images, baseImage: f.baseName, cacheDir },
    }),
    ...(timeoutMs ? { timeoutMs: { images: timeoutMs } } : {}),
  });
}

beforeAll(async () => {
  env = await createJobTestEnv();
  f = await startDockerizeFixture();
  cacheDir = await makeTempDir("image-cache");
  const venv = await createVenv(join(f.tmp, "venv"));
  await pipInstall(venv, ["tinypkg01", "tinypkg02"], { findLinks: fixtureWheels });
  const python = (await pythonInfo()).version.split(".").slice(0, 2).join(".");
  const packed = await packEnv(venv, join(f.tmp, "env.tar.gz"));
  const runtime = await writeRuntimeVersion(f.store, {
    name: "vision",
    python,
    lock: ["tinypkg01==1.0.1", "tinypkg02==1.0.2"],
    packedEnv: packed,
    // A server pushes only to its own registry, whatever the runtime's yaml names.
    configImage: "elsewhere.example.com/team/vision",
  });
  const [project] = await env.t.db.select().from(projects).where(eq(projects.name, env.project));
  const { digest } = await ingestBlob(env.t.db, env.blobs, {
    projectId: project!.id,
    source: createReadStream(runtime.bundlePath),
  });
  ({ version } = await commitVersion(env.t.db, env.blobs, {
    user: env.user,
    project: env.project,
    name: "vision",
    bundleDigest: digest,
  }));
  await startImageWorkers({ registry: `${f.registry.host}/hub`, insecure: true });
}, 180_000);

afterAll(async () => {
  await running?.close();
  connection.disconnect();
  await f?.stop();
  await env?.close();
});

const submit = (requestId: string, extra: { tags?: string[] } = {}) =>
  submitDockerize(env.t.db, env.deps, {
    user: env.user,
    project: env.project,
    runtimeName: "vision",
    version: "latest",
    tags: extra.tags ?? [],
    platforms: ["amd64"],
    requestId,
  });

describe("runtime.dockerize", () => {
  it("pushes the version's image to the server's registry and records it on the version", async () => {
    const { job, created } = await submit("first", { tags: ["stable"] });
    expect(created).toBe(true);
    expect(job).toMatchObject({ kind: "runtime.dockerize", runtimeName: "vision", state: "queued" });
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"], 180_000);
    expect(done.error).toBeNull();
    const repo = `${f.registry.host}/hub/builds/vision`;
    expect(done.result).toMatchObject({
      name: "vision",
      version,
      alias: "v0",
      image: `${repo}:${version}`,
      references: [`${repo}:${version}`, `${repo}:v0`, `${repo}:stable`],
      platforms: ["linux/amd64"],
    });
    const digest = (done.result as { digest: string }).digest;

    const events = await listJobEvents(env.t.db, Number(job.id), 0, { limit: 10_000 });
    expect(events.filter((e) => e.type === "phase").map((e) => e.phase)).toEqual([...dockerizePhases]);
    const log = events.flatMap((e) => (e.type === "log" ? [e.line] : []));
    expect(log.some((line) => line.startsWith(`pushed ${repo}:${version}`))).toBe(true);

    // The version page's images: every reference with the digest and platform.
    const info = await getVersionInfo(env.t.db, { user: env.user, project: env.project, name: "vision" });
    expect(info.images.map((i) => [i.reference, i.digest, i.platforms]).sort()).toEqual(
      [`${repo}:stable`, `${repo}:v0`, `${repo}:${version}`].sort().map((r) => [r, digest, ["linux/amd64"]]),
    );

    expect(info.images[0]!.reference).toBe(`${repo}:${version}`); // the one the version page shows first
    const inspected = await skopeoJson("inspect", "--tls-verify=false", `docker://${repo}:v0`);
    expect(inspected.Digest).toBe(digest);
    expect(inspected.Labels).toMatchObject({
      starwhale_runtime_name: "vision",
      starwhale_runtime_version: version,
    });
    const tags = await skopeoJson("list-tags", "--tls-verify=false", `docker://${repo}`);
    expect((tags.Tags as string[]).sort()).toEqual([version, "stable", "v0"].sort());
    // Nothing went to the registry the runtime's yaml names.
    expect(log.join("\n")).not.toContain("elsewhere.example.com");

    const rootfs = await pullRootfs(f.registry, `hub/builds/vision:${version}`);
    expect(
      await chroot(rootfs, "python", "-c", "import tinypkg01, tinypkg02; print(tinypkg01.__name__)"),
    ).toBe("tinypkg01");
    expect(await readdir(env.workRoot)).toEqual([]);
  }, 240_000);

  it("answers a repeated request id with the same job, and a second image of the version pushes no layer", async () => {
    const again = await submit("first", { tags: ["stable"] });
    expect(again.created).toBe(false);

    const before = f.registry.requests().length;
    const { job } = await submit("second");
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"], 120_000);
    expect(done).toMatchObject({ state: "succeeded", error: null, result: { uploaded: 0 } });
    expect(uploadsSince(f.registry, before)).toEqual([]);
  }, 180_000);

  it("keeps the image cache within its limit: what no run used lately goes first, and the cache still serves", async () => {
    // A blob, its layer entry and a scratch directory, as a run two hours ago left them.
    const stale = Buffer.alloc(1 << 20, 7);
    const staleDigest = `sha256:${createHash("sha256").update(stale).digest("hex")}`;
    const staleEntry = join(cacheDir, "layers", "stale.json");
    const staleScratch = join(cacheDir, "tmp", "dockerize-killed");
    await writeFile(blobPath(cacheDir, staleDigest), stale);
    await writeFile(
      staleEntry,
      JSON.stringify({
        descriptor: {
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: staleDigest,
          size: stale.length,
        },
        diffId: staleDigest,
      }),
    );
    await mkdir(staleScratch, { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const path of [blobPath(cacheDir, staleDigest), staleScratch])
      await utimes(path, twoHoursAgo, twoHoursAgo);

    // No room at all: only what runs used within the hour (an image run's time limit) stays.
    await startImageWorkers({
      registry: `${f.registry.host}/hub`,
      insecure: true,
      cacheLimits: { maxBytes: 0, keepUsedWithinMs: 3_600_000 },
    });
    const before = f.registry.requests().length;
    const { job } = await submit("pruned");
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"], 120_000);
    expect(done).toMatchObject({ state: "succeeded", error: null, result: { uploaded: 0 } });
    expect(uploadsSince(f.registry, before)).toEqual([]);
    expect(existsSync(blobPath(cacheDir, staleDigest))).toBe(false);
    expect(existsSync(staleEntry)).toBe(false);
    expect(existsSync(staleScratch)).toBe(false);
  }, 180_000);

  it("refuses a guest, and an unknown version, before anything is queued", async () => {
    const guest = await createUser(env.t.db, { name: "onlooker", password: "onlooker-password" });
    await addMember(env.t.db, { user: env.user, project: env.project, userName: "onlooker", role: "guest" });
    await expect(
      submitDockerize(env.t.db, env.deps, {
        user: guest,
        project: env.project,
        runtimeName: "vision",
        version: "latest",
        tags: [],
        platforms: ["amd64"],
        requestId: "guest",
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      submitDockerize(env.t.db, env.deps, {
        user: env.user,
        project: env.project,
        runtimeName: "vision",
        version: "v9",
        tags: [],
        platforms: ["amd64"],
        requestId: "unknown",
      }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("fails at once, saying what to set, on a worker without a registry", async () => {
    await startImageWorkers({});
    const { job } = await submit("no-registry");
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(failed).toMatchObject({ state: "failed", attempt: 1 });
    expect(failed.error).toMatch(/no image registry is configured on this server.*SW_REGISTRY/);
  });

  it("stops a run past its time limit and records nothing", async () => {
    await startImageWorkers({ registry: `${f.registry.host}/late`, insecure: true }, 100);
    const { job } = await submit("too-slow");
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed", "cancelled"]);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/timed out/);
    const info = await getVersionInfo(env.t.db, { user: env.user, project: env.project, name: "vision" });
    expect(info.images.some((i) => i.reference.includes("/late/"))).toBe(false);
    await expect.poll(() => readdir(env.workRoot), { timeout: 15_000 }).toEqual([]);
  }, 60_000);

  it("cancels a run while it pushes: the run stops, no image is recorded or tagged, no files are left", async () => {
    // The registry behind a gate that holds every connection: the run is caught mid-push, for certain.
    const gate = await holdingProxy(f.registry.host);
    try {
      await startImageWorkers({ registry: `${gate.host}/held`, insecure: true });
      const { job } = await submit("cancel-mid-push");
      await expect.poll(() => gate.held(), { timeout: 120_000 }).toBeGreaterThan(0);
      expect(await cancelJob(env.t.db, env.deps, { user: env.user, job: job.id })).toMatchObject({
        state: "cancelled",
        error: "cancelled by builder",
      });
      // The run is over once its directory is gone; whatever it had in flight can't be followed by more.
      await expect.poll(() => readdir(env.workRoot), { timeout: 15_000 }).toEqual([]);
      const [row] = await env.t.db
        .select()
        .from(jobs)
        .where(eq(jobs.id, Number(job.id)));
      expect(row).toMatchObject({ state: "cancelled", claimToken: null, result: null });
      const info = await getVersionInfo(env.t.db, { user: env.user, project: env.project, name: "vision" });
      expect(info.images.some((i) => i.reference.includes("/held/"))).toBe(false);
      gate.open();
      await expect(
        skopeoJson("list-tags", "--tls-verify=false", `docker://${f.registry.host}/held/builds/vision`),
      ).rejects.toThrow();
    } finally {
      await gate.close();
    }
  }, 180_000);
});

/**
 * A TCP proxy to `target` (`host:port`) that holds each connection, reading nothing, until `open()`; from then
 * on it forwards. `held()` counts the connections that arrived while closed.
 */
async function holdingProxy(target: string) {
  const [host, port] = target.split(":") as [string, string];
  const waiting: Socket[] = [];
  let arrived = 0;
  let isOpen = false;
  const forward = (client: Socket) => {
    const upstream = connect(Number(port), host);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  };
  const server = createServer((client) => {
    if (isOpen) return forward(client);
    arrived++;
    client.pause();
    client.on("error", () => client.destroy());
    waiting.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    host: `127.0.0.1:${address.port}`,
    held: () => arrived,
    open() {
      isOpen = true;
      for (const client of waiting.splice(0)) if (!client.destroyed) forward(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of waiting.splice(0)) client.destroy();
        server.close(() => resolve());
      }),
  };
}
