import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addFixtureDemo,
  type DockerizeFixture,
  fixtureWheels,
  skopeoJson,
  startDockerizeFixture,
} from "@swhub/runtime/testing/dockerize-fixture";
import { pipEnv } from "@swhub/runtime/testing/python";
import { startRegistry, type TestRegistry } from "@swhub/runtime/testing/registry";
import type { TestRuntime } from "@swhub/runtime/testing/runtime-bundles";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "../../../build.mjs";
import type { RuntimeDockerizeJson, RuntimeDockerizePlanJson } from "../../output/shapes";

// swcli runtime dockerize as a process, against a loopback registry holding the python base image, on
// Starwhale's own demo.swrt in a store under a temp dir.
let entry: string;
let f: DockerizeFixture;
let demo: TestRuntime;
let basic: TestRegistry;
let home: string;
beforeAll(async () => {
  const outdir = join(mkdtempSync(join(tmpdir(), "swcli-bundle-")), "dist");
  [f, basic] = await Promise.all([
    startDockerizeFixture(),
    startRegistry({ auth: "basic" }),
    buildCli({ outdir }),
  ]);
  entry = join(outdir, "swcli.mjs");
  demo = await addFixtureDemo(f.store);
  home = mkdtempSync(join(tmpdir(), "swcli-dockerize-"));
});
afterAll(async () => {
  await basic?.stop();
  await f?.stop();
});

/** What the user reads of a failure: stderr without the progress lines (`phase: …`). */
function errorLines(run: Run): string[] {
  return run.stderr.split("\n").filter((line) => line && !/^[a-z]+: (started|done|\d+%)/.test(line));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function swcli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const script = `const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: home,
    env: {
      ...pipEnv({ PIP_FIND_LINKS: fixtureWheels }),
      HOME: home,
      SW_CLI_CONFIG: join(home, "config.yaml"),
      SW_LOCAL_STORAGE: f.store.root,
      SW_INSECURE_REGISTRIES: `${f.registry.host},${basic.host}`,
      SW_DOCKERIZE_BASE_IMAGE: f.baseName,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("swcli runtime dockerize", () => {
  it("pushes the image and prints what it sent; -o json gives the image's digest and layers", async () => {
    const tag = `${f.registry.host}/team/demo:v1`;
    const run = await swcli(["-o", "json", "runtime", "dockerize", "demo", "-t", tag, "--push"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as RuntimeDockerizeJson;
    expect(json).toMatchObject({
      name: "demo",
      version: demo.version,
      tags: [tag],
      platforms: ["linux/amd64"],
    });
    expect(json.layers.map((l) => l.kind)).toEqual(["bundle", "env"]);
    const inspected = await skopeoJson("inspect", "--tls-verify=false", `docker://${tag}`);
    expect(inspected.Digest).toBe(json.digest);
    // Phases reach stderr as plain lines in JSON mode.
    expect(run.stderr).toMatch(/^prepare: started$/m);
    expect(run.stderr).toMatch(/^push: started/m);

    const again = await swcli([
      "runtime",
      "dockerize",
      `demo/version/${demo.version.slice(0, 8)}`,
      "-t",
      tag,
      "--push",
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${tag}: 0 blobs uploaded, 0 blobs mounted, 5 blobs already there`);
  });

  it("keeps its layer cache within SW_DOCKERIZE_CACHE_MAX_GB: what no run used lately goes, the rest serves", async () => {
    const blobs = join(f.store.root, ".cache", "dockerize", "blobs", "sha256");
    const stale = join(blobs, "0".repeat(64));
    writeFileSync(stale, Buffer.alloc(1 << 20));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    const tag = `${f.registry.host}/team/demo:v1`;
    const run = await swcli(["runtime", "dockerize", "demo", "-t", tag, "--push"], {
      SW_DOCKERIZE_CACHE_MAX_GB: "0",
    });
    expect(run.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    // What the last push used stays (used within the hour): nothing is made or sent again.
    expect(run.stdout).toContain(`${tag}: 0 blobs uploaded, 0 blobs mounted, 5 blobs already there`);
    expect(run.stdout).toMatch(/runtime layer: .*, cached/);

    const bad = await swcli(["runtime", "dockerize", "demo", "-t", tag], {
      SW_DOCKERIZE_CACHE_MAX_GB: "lots",
    });
    expect(bad.code).not.toBe(0);
    expect(errorLines(bad)[0]).toMatch(/SW_DOCKERIZE_CACHE_MAX_GB.*expected a number, got "lots"/);
  });

  it("writes an OCI layout under the snapshot without --push and says where", async () => {
    const run = await swcli(["runtime", "dockerize", "demo", "-t", "example.com/team/demo:v2"]);
    expect(run.code).toBe(0);
    const layout = join(demo.snapshotDir, "export", "docker", "oci");
    expect(run.stdout).toContain(`OCI layout written to ${layout}`);
    const inspected = await skopeoJson("inspect", `oci:${layout}:v2`);
    expect(inspected.Labels.starwhale_runtime_name).toBe("demo");
  });

  it("writes a docker archive with --docker-archive", async () => {
    const file = join(home, "demo.tar");
    const run = await swcli([
      "runtime",
      "dockerize",
      "demo",
      "-t",
      "example.com/team/demo:v3",
      "--docker-archive",
      file,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`docker archive written to ${file}`);
    const inspected = await skopeoJson("inspect", `docker-archive:${file}:example.com/team/demo:v3`);
    expect(inspected.Labels.starwhale_runtime_version).toBe(demo.version);
  });

  it("prints the plan and the Dockerfile on --dry-run, and builds nothing", async () => {
    const before = f.registry.requests().length;
    const run = await swcli(["runtime", "dockerize", "demo", "-t", "example.com/team/demo:v4", "--dry-run"]);
    expect(run.code).toBe(0);
    const base = await f.client.headManifest("base/python", "3.11");
    expect(run.stdout).toContain(`base:      ${f.baseName} (${base?.digest})`);
    expect(run.stdout).toContain("tags:      example.com/team/demo:v4");
    const dockerfilePath = join(demo.snapshotDir, "export", "docker", "Dockerfile");
    expect(run.stdout).toContain(
      `Dockerfile (written to ${dockerfilePath}):\nARG BASE_IMAGE=${f.baseName}\n`,
    );
    expect(readFileSync(dockerfilePath, "utf8")).toContain(`LABEL starwhale_runtime_version=${demo.version}`);
    expect(
      f.registry
        .requests()
        .slice(before)
        .filter((r) => r.method !== "HEAD"),
    ).toEqual([]);

    const json = await swcli([
      "-o",
      "json",
      "runtime",
      "dockerize",
      "demo",
      "-t",
      "a/b:1",
      "--dry-run",
      "--platform",
      "arm64",
    ]);
    const plan = JSON.parse(json.stdout) as RuntimeDockerizePlanJson;
    expect(plan).toMatchObject({
      builder: "native",
      platforms: ["linux/arm64"],
      tags: ["docker.io/a/b:1"],
      push: false,
    });
  });

  it("pushes to a registry that needs a password with the credentials docker login stored", async () => {
    const dockerConfig = join(home, "docker");
    mkdirSync(dockerConfig);
    const auth = Buffer.from(`${basic.user.username}:${basic.user.password}`).toString("base64");
    writeFileSync(
      join(dockerConfig, "config.json"),
      JSON.stringify({ auths: { [`http://${basic.host}`]: { auth } } }),
    );
    const tag = `${basic.host}/team/demo:v1`;
    const run = await swcli(["runtime", "dockerize", "demo", "-t", tag, "--push"], {
      DOCKER_CONFIG: dockerConfig,
    });
    expect(run.code).toBe(0);
    // The base lives on another registry: its layers were copied, not mounted.
    expect(run.stdout).toContain(`${tag}: 5 blobs uploaded, 0 blobs mounted, 0 blobs already there`);
    const inspected = await skopeoJson(
      "inspect",
      "--tls-verify=false",
      `--creds=${basic.user.username}:${basic.user.password}`,
      `docker://${tag}`,
    );
    expect(inspected.Labels.starwhale_runtime_name).toBe("demo");
  });

  it("exits 1 with one line for a missing tag, a wrong password, an unreachable registry", async () => {
    const none = await swcli(["runtime", "dockerize", "demo"]);
    expect(none).toMatchObject({ code: 1, stdout: "" });
    expect(errorLines(none)).toEqual([
      "error: no image tag: the image needs at least one name to be tagged with",
      "hint: pass -t/--tag REGISTRY/NAME:TAG, or set configs.docker.image in runtime.yaml",
    ]);
    const wrong = await swcli(
      ["runtime", "dockerize", "demo", "-t", `${basic.host}/team/demo:v1`, "--push"],
      {
        SW_REGISTRY_USERNAME: basic.user.username,
        SW_REGISTRY_PASSWORD: "wrong",
        SW_REGISTRY_HOST: basic.host,
      },
    );
    expect(wrong.code).toBe(1);
    expect(errorLines(wrong)).toEqual([
      `error: authentication failed for ${basic.host}`,
      `hint: check the user name and password (SW_REGISTRY_USERNAME/SW_REGISTRY_PASSWORD or docker login ${basic.host})`,
    ]);
    const away = await swcli(["runtime", "dockerize", "demo", "-t", "127.0.0.1:1/team/demo:v1", "--push"], {
      SW_INSECURE_REGISTRIES: `${f.registry.host},127.0.0.1:1`,
    });
    expect(away.code).toBe(1);
    expect(errorLines(away)).toEqual(["error: cannot reach 127.0.0.1:1: connection refused"]);
  });

  it("names a platform the base image lacks (exit 1), and refuses an unknown one as a usage error (exit 2)", async () => {
    const arm = await swcli(["runtime", "dockerize", "demo", "-t", "a/b:1", "--platform", "arm64"]);
    expect(arm.code).toBe(1);
    expect(errorLines(arm)[0]).toBe(`error: the base image ${f.baseName} has no image for linux/arm64`);
    const unknown = await swcli(["runtime", "dockerize", "demo", "-t", "a/b:1", "--platform", "s390x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toMatch(
      /^error: option '--platform <platform>' argument 's390x' is invalid/,
    );
  });

  it("says in one line that --builder buildx needs a Docker daemon, and prints its commands on --dry-run", async () => {
    const run = await swcli(["runtime", "dockerize", "demo", "-t", "a/b:1", "--builder", "buildx"]);
    expect(run.code).toBe(1);
    const lines = errorLines(run);
    expect(lines[0]).toMatch(
      /^error: --builder buildx needs a running Docker daemon, and none answers here \(.+\)$/,
    );
    expect(lines).toHaveLength(2);

    const dry = await swcli([
      "runtime",
      "dockerize",
      "demo",
      "-t",
      "a/b:1",
      "--builder",
      "buildx",
      "--dry-run",
      "--push",
    ]);
    expect(dry.code).toBe(0);
    const dockerfile = join(demo.snapshotDir, "export", "docker", "Dockerfile");
    expect(dry.stdout).toContain(
      `  docker buildx build --network host --pull --progress plain --platform linux/amd64 --tag docker.io/a/b:1 --push --file ${dockerfile} ${demo.snapshotDir}\n`,
    );
    expect(readFileSync(join(demo.snapshotDir, ".dockerignore"), "utf8")).toBe(
      "export/venv\nexport/conda\n.git\n",
    );
  });
});
