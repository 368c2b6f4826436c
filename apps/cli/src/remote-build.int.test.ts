import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWheel, makeTempDir } from "@swhub/runtime/testing/python";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RemoteBuildJson } from "./handlers/runtime/build-remote";
import { passwordOf, startTestServer, type TestServer } from "./testing/server";
import { buildSwcli, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// `swcli runtime build --project cloud://…` end to end: the real swcli, a real server (HTTP, Postgres, blobs,
// Redis) and the real worker as its own process, installing from wheels built here (--find-links).
const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `swhub-cli-${randomBytes(4).toString("hex")}`;
let server: TestServer;
let build: SwcliBuild;
let box: Sandbox;
let guestBox: Sandbox;
let worker: ChildProcess;
let work: string;

beforeAll(async () => {
  [server, build] = await Promise.all([startTestServer({ jobs: { redisUrl, prefix } }), buildSwcli()]);
  work = await makeTempDir("cli-remote-build");
  const wheels = join(work, "index");
  await buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] });
  await buildWheel(wheels, { name: "beta", version: "2.0" });
  worker = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("../../worker/src/index.ts", import.meta.url))],
    {
      cwd: fileURLToPath(new URL("../../worker", import.meta.url)),
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: server.db.url,
        REDIS_URL: redisUrl,
        SW_QUEUE_PREFIX: prefix,
        SW_BLOB_DIR: server.blobDir,
        SW_BUILD_FIND_LINKS: wheels,
      },
      stdio: "ignore",
    },
  );
  box = await createSandbox(build.entry);
  guestBox = await createSandbox(build.entry);
  for (const [sandbox, user] of [
    [box, "maria"],
    [guestBox, "gus"],
  ] as const) {
    ok(
      await sandbox.swcli([
        "instance",
        "login",
        server.url,
        "--alias",
        "hub",
        "--username",
        user,
        "--password",
        passwordOf(user),
      ]),
    );
  }
}, 120_000);

afterAll(async () => {
  worker?.kill("SIGTERM");
  await box?.cleanup();
  await guestBox?.cleanup();
  await build?.remove();
  await server?.close();
});

/** A project directory: runtime.yaml naming a requirements file and a wheel of its own. */
async function project(name: string, yaml: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "runtime.yaml"), yaml);
  await writeFile(join(dir, "requirements.txt"), "beta==2.0\n");
  await buildWheel(join(dir, "dist"), { name: "gamma", version: "0.3" });
  return join(dir, "runtime.yaml");
}

const yamlOf = (deps: string) =>
  `name: hello\nmode: venv\nenvironment:\n  python: "3.11"\ndependencies:\n${deps}  - requirements.txt\n  - wheels:\n      - dist/gamma-0.3-py3-none-any.whl\n`;

describe("swcli runtime build on a server", () => {
  it("uploads the context, follows the job on stderr, prints the new version and exits 0", async () => {
    const yaml = await project("ok", yamlOf("  - pip: [alpha]\n"));
    const run = ok(
      await box.swcli([
        "-o",
        "json",
        "runtime",
        "build",
        "-y",
        yaml,
        "--project",
        "cloud://hub/project/demo",
        "-t",
        "nightly",
      ]),
    );
    const result = JSON.parse(run.stdout) as RemoteBuildJson;
    expect(result).toMatchObject({ project: "demo", name: "hello", alias: "v0", tags: ["nightly"] });
    expect(result.uri).toBe(`${server.url}/project/demo/runtime/hello/version/${result.version}`);
    expect(run.stderr).toMatch(/build job \d+ submitted to hub/);
    expect(run.stderr).toMatch(/Successfully installed .*alpha-1\.0/);
    for (const phase of ["install", "lock", "pack", "publish"]) expect(run.stderr).toContain(phase);

    const info = ok(
      await box.swcli(["-o", "json", "runtime", "info", `cloud://hub/project/demo/runtime/hello/version/v0`]),
    );
    expect(info.stdout).toContain(result.version);
  }, 120_000);

  it("exits 1 with the job's reason when the server cannot install a dependency", async () => {
    const yaml = await project("missing", yamlOf("  - pip: [nosuchpkg]\n"));
    const run = await box.swcli(["runtime", "build", "-y", yaml, "--project", "cloud://hub/project/demo"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /error: build job \d+ failed: pip could not install the dependencies of runtime\.yaml/,
    );
    expect(run.stderr).toMatch(/No matching distribution found for nosuchpkg/);
  }, 120_000);

  it("refuses a guest before anything is uploaded, and a source a server can't build", async () => {
    const yaml = await project("guest", yamlOf("  - pip: [alpha]\n"));
    const run = await guestBox.swcli([
      "runtime",
      "build",
      "-y",
      yaml,
      "--project",
      "cloud://hub/project/demo",
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/error: You need the maintainer role in project "demo"/);
    const venv = await box.swcli(["runtime", "build", "-v", work, "--project", "cloud://hub/project/demo"]);
    expect(venv.code).not.toBe(0);
    expect(venv.stderr).toMatch(/a server builds from runtime\.yaml \(-y\) or an image \(-d\)/);
  });
});
