import { execFileSync } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createRedis } from "@swhub/api/queue";
import { listJobEvents } from "@swhub/api/services/job-events";
import { cancelJob, retryJob, submitBuild } from "@swhub/api/services/jobs";
import { jobs, runtimeVersions, users } from "@swhub/db/schema";
import { extractBundle } from "@swhub/runtime/bundle/extract";
import { sha256Digest } from "@swhub/runtime/oci/digest";
import { createRegistryClient } from "@swhub/runtime/oci/registry";
import { restoreRuntime } from "@swhub/runtime/restore/restore";
import { buildWheel, makeTempDir, pipEnv } from "@swhub/runtime/testing/python";
import { startRegistry, type TestRegistry } from "@swhub/runtime/testing/registry";
import { buildPhases, type JobEvent } from "@swhub/shared/jobs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "./handler-map";
import { slowBuildContext, uploadContext, waitForJob } from "./testing/build-context";
import { createJobTestEnv, type JobTestEnv } from "./testing/job-env";
import { type RunningWorkers, startWorkers } from "./worker";

// Real Postgres, Redis, python and pip: wheels are built here and installed with --find-links, as a worker set
// up with SW_BUILD_FIND_LINKS does.
let env: JobTestEnv;
let running: RunningWorkers;
let wheels: string;
const connection = createRedis(process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379", "worker");

beforeAll(async () => {
  env = await createJobTestEnv();
  wheels = await makeTempDir("job-wheels");
  await buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] });
  await buildWheel(wheels, { name: "beta", version: "2.0" });
  running = await startWorkers({
    connection,
    db: env.t.db,
    blobs: env.blobs,
    bus: env.bus,
    prefix: env.prefix,
    workRoot: env.workRoot,
    concurrency: { builds: 2, images: 1, maintenance: 1 },
    handlers: createHandlers({ env: process.env, findLinks: wheels }),
  });
});

afterAll(async () => {
  await running?.close();
  connection.disconnect();
  await env.close();
});

const runtimeYaml = (deps: string) =>
  `name: demo\nmode: venv\nenvironment:\n  python: "3.11"\ndependencies:\n${deps}`;

async function submit(files: Record<string, string | Uint8Array>, requestId: string, runtimeName = "demo") {
  const contextDigest = await uploadContext(env.t.db, env.blobs, env.project, files);
  return submitBuild(env.t.db, env.deps, {
    user: env.user,
    project: env.project,
    runtimeName,
    source: { kind: "yaml", contextDigest, yamlPath: "runtime.yaml" },
    tags: ["nightly"],
    disableEnvLock: false,
    requestId,
  });
}

const events = (job: string) => listJobEvents(env.t.db, Number(job), 0, { limit: 10_000 });
const logLines = (list: JobEvent[]) => list.flatMap((e) => (e.type === "log" ? [e.line] : []));
const versions = () => env.t.db.select().from(runtimeVersions);

describe("runtime.build", () => {
  it("builds from runtime.yaml with local wheels: a version of the creator, phases in order, pip's log", async () => {
    const { job, created } = await submit({ "runtime.yaml": runtimeYaml("  - pip: [alpha]\n") }, "first");
    expect(created).toBe(true);
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ state: "succeeded", runtimeName: "demo", createdBy: "builder", attempt: 1 });
    expect(done.result).toMatchObject({ name: "demo", alias: "v0", tags: ["nightly"] });

    const list = await events(job.id);
    expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1));
    expect(list.filter((e) => e.type === "phase").map((e) => e.phase)).toEqual([...buildPhases]);
    expect(logLines(list).some((line) => /Successfully installed .*alpha-1\.0.*beta-2\.0/.test(line))).toBe(
      true,
    );
    expect(list.at(-1)).toMatchObject({ type: "state", state: "succeeded" });

    const [version] = await versions();
    const [owner] = await env.t.db.select().from(users).where(eq(users.id, version!.createdBy!));
    expect(owner!.name).toBe("builder");
    expect(version!.version).toBe((done.result as { version: string }).version);
    expect(Object.values(version!.lockFiles).join("")).toMatch(/alpha==1\.0[\s\S]*beta==2\.0/);

    // The version activates: its bundle restores into a venv where the locked packages import.
    const bundle = join(await makeTempDir("job-bundle"), "demo.swrt");
    await pipeline(await env.blobs.read(version!.bundleDigest), createWriteStream(bundle));
    const workdir = join(tmpdir(), `swhub-job-restore-${job.id}-${Date.now()}`);
    await extractBundle(bundle, workdir);
    await restoreRuntime(workdir, { settings: { env: pipEnv({ PIP_FIND_LINKS: wheels }) } });
    const python = join(workdir, "export", "venv", "bin", "python");
    expect(
      execFileSync(python, [
        "-c",
        "import alpha, beta; print(alpha.__version__, beta.__version__)",
      ]).toString(),
    ).toBe("1.0 2.0\n");
    // Nothing of the run is left in the worker's directory.
    expect(await readdir(env.workRoot)).toEqual([]);
  });

  it("answers a repeated request id with the same job, and makes one version", async () => {
    const before = (await versions()).length;
    const first = await submit({ "runtime.yaml": runtimeYaml("  - pip: [beta]\n") }, "same-request");
    const again = await submit({ "runtime.yaml": runtimeYaml("  - pip: [beta]\n") }, "same-request");
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    await waitForJob(env.t.db, env.user, first.job.id, ["succeeded", "failed"]);
    expect((await versions()).length).toBe(before + 1);
  });

  it("fails a malformed runtime.yaml with the parser's reason first in the log, and keeps working", async () => {
    const { job } = await submit(
      { "runtime.yaml": "name: demo\nmode: venv\ndependencies: [\n" },
      "malformed",
    );
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/runtime\.yaml/);
    const lines = logLines(await events(job.id));
    expect(lines.slice(0, 4).some((line) => line.startsWith("error: ") && /runtime\.yaml/.test(line))).toBe(
      true,
    );
    expect(failed.attempt).toBe(1); // a user's mistake is not retried

    const next = await submit({ "runtime.yaml": runtimeYaml("  - pip: [beta]\n") }, "after-malformed");
    expect((await waitForJob(env.t.db, env.user, next.job.id, ["succeeded", "failed"])).state).toBe(
      "succeeded",
    );
  });

  it("fails a dependency pip cannot install with pip's reason, and retries it once the wheel is there", async () => {
    const { job } = await submit({ "runtime.yaml": runtimeYaml("  - pip: [gamma]\n") }, "missing-dep");
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/pip could not install the dependencies of runtime\.yaml/);
    expect(logLines(await events(job.id)).join("\n")).toMatch(/No matching distribution found for gamma/);

    await buildWheel(wheels, { name: "gamma", version: "0.1" });
    const retried = await retryJob(env.t.db, env.deps, { user: env.user, job: job.id });
    expect(retried.state).toBe("queued");
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({ state: "succeeded", attempt: 2, error: null });
  });

  it("fails mode: conda on a worker without conda, naming what is missing", async () => {
    const yaml =
      "name: demo\nmode: conda\nenvironment:\n  python: '3.11'\ndependencies:\n  - conda: [numpy]\n";
    const { job } = await submit({ "runtime.yaml": yaml }, "conda");
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(failed.error).toMatch(/no conda, mamba or micromamba \(CONDA_EXE is unset and none is on PATH\)/);
  });

  it("cancels a running build: pip is killed, no version, no staged upload, no files left", async () => {
    const before = (await versions()).length;
    const slow = await makeTempDir("job-slow");
    const files = await slowBuildContext(join(slow, "started"), 120);
    const { job } = await submit(files, "cancel-me");
    await expect
      .poll(() => readFile(join(slow, "started"), "utf8").catch(() => ""), { timeout: 60_000 })
      .not.toBe("");
    const backendPid = Number(await readFile(join(slow, "started"), "utf8"));

    const cancelled = await cancelJob(env.t.db, env.deps, { user: env.user, job: job.id });
    expect(cancelled).toMatchObject({ state: "cancelled", error: "cancelled by builder" });
    // The run stops: its directory goes, pip's build backend (a grandchild) is killed with it.
    await expect.poll(() => readdir(env.workRoot), { timeout: 15_000 }).toEqual([]);
    expect(isAlive(backendPid)).toBe(false);
    expect((await versions()).length).toBe(before);
    const uploads: string[] = [];
    for await (const upload of env.blobs.listUploads()) uploads.push(upload.uploadId);
    expect(uploads).toEqual([]);
    const [row] = await env.t.db
      .select()
      .from(jobs)
      .where(eq(jobs.id, Number(job.id)));
    expect(row).toMatchObject({ state: "cancelled", claimToken: null });
    expect((await events(job.id)).at(-1)).toMatchObject({ type: "state", state: "cancelled" });
  }, 120_000);
});

/** Whether the process runs (a zombie waiting for its reaper does not). */
describe("runtime.build from an image", () => {
  let registry: TestRegistry;
  let digest: string;
  beforeAll(async () => {
    registry = await startRegistry();
    digest = await pushEmptyImage(registry, "team/pytorch", "1.9.0-cuda");
  });
  afterAll(() => registry?.stop());

  const submitImage = (image: string, requestId: string) =>
    submitBuild(env.t.db, env.deps, {
      user: env.user,
      project: env.project,
      runtimeName: "pytorch",
      source: { kind: "docker", image },
      tags: [],
      disableEnvLock: false,
      requestId,
    });

  it("pins the image to the digest its registry reports", async () => {
    const image = `${registry.host}/team/pytorch:1.9.0-cuda`;
    const { job } = await submitImage(image, "docker");
    const done = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(done.error).toBeNull();
    const list = await events(job.id);
    expect(list.filter((e) => e.type === "phase").map((e) => e.phase)).toEqual([
      "prepare",
      "resolve",
      "pack",
      "publish",
    ]);
    expect(logLines(list)).toContain(`resolved ${image} to ${digest}`);
    const [version] = await env.t.db
      .select()
      .from(runtimeVersions)
      .where(eq(runtimeVersions.version, (done.result as { version: string }).version));
    expect((version!.manifest as { docker: { custom_run_image: string } }).docker.custom_run_image).toBe(
      `${image}@${digest}`,
    );
  });

  it("fails an image its registry does not have, saying so", async () => {
    const { job } = await submitImage(`${registry.host}/team/nothing:1`, "docker-missing");
    const failed = await waitForJob(env.t.db, env.user, job.id, ["succeeded", "failed"]);
    expect(failed.error).toMatch(
      /^cannot resolve the image 127\.0\.0\.1:\d+\/team\/nothing:1 in its registry: .*not found/,
    );
  });
});

/** The smallest image there is, a config and no layers, pushed to the registry; returns its manifest digest. */
async function pushEmptyImage(registry: TestRegistry, repository: string, tag: string): Promise<string> {
  const client = createRegistryClient({ registry: registry.host, insecure: true });
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
  );
  const configDigest = sha256Digest(config);
  await client.uploadBlob(repository, {
    digest: configDigest,
    size: config.length,
    open: () => Readable.from([config]),
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: configDigest,
        size: config.length,
      },
      layers: [],
    }),
  );
  const digest = await client.putManifest(
    repository,
    tag,
    manifest,
    "application/vnd.oci.image.manifest.v1+json",
  );
  await client.close();
  return digest;
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
