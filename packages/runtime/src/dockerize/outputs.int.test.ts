import { execFile } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packEnv } from "../bundle/packed-env";
import {
  addFixtureBundle,
  chroot,
  chrootWith,
  type DockerizeFixture,
  fixtureWheels,
  runtimeSpec,
  skopeoJson,
  startDockerizeFixture,
  unpackRootfs,
} from "../testing/dockerize-fixture";
import { createVenv, pipInstall, pythonInfo } from "../testing/python";
import { type TestRuntime, writeRuntimeVersion } from "../testing/runtime-bundles";
import { type DockerizeOptions, dockerizeRuntime } from "./dockerize";
import { planDockerize } from "./dry-run";

const exec = promisify(execFile);

// Images written to disk instead of pushed, from a runtime that carries a packed environment.
let f: DockerizeFixture;
let packed: TestRuntime;
let elfPacked: TestRuntime;
const lock = ["tinypkg01==1.0.1", "tinypkg02==1.0.2"];
beforeAll(async () => {
  f = await startDockerizeFixture();
  const venv = await createVenv(join(f.tmp, "venv"));
  await pipInstall(venv, ["tinypkg01", "tinypkg02"], { findLinks: fixtureWheels });
  const python = (await pythonInfo()).version.split(".").slice(0, 2).join(".");
  const archive = join(f.tmp, "env.tar.gz");
  await packEnv(venv, archive, { format: 1 });
  packed = await writeRuntimeVersion(f.store, {
    name: "packed",
    python,
    lock,
    packedEnv: archive,
    configImage: "registry.example.com/team/configured:ignored",
  });
  // The same env with a native library built for arm64 in it: no use on amd64.
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeUInt16LE(183, 18);
  await writeFile(join(venv, "lib", `python${python}`, "site-packages", "tinypkg01", "_native.so"), elf);
  const elfArchive = join(f.tmp, "env-arm64.tar.gz");
  await packEnv(venv, elfArchive, { format: 1 });
  elfPacked = await writeRuntimeVersion(f.store, { name: "elfpacked", python, lock, packedEnv: elfArchive });
});
afterAll(() => f?.stop());

const options = (extra: Partial<DockerizeOptions> = {}): DockerizeOptions => ({
  tags: ["registry.example.com/team/packed:v1"],
  base: { override: f.baseName },
  registries: { insecure: [f.registry.host] },
  env: { pipEnv: f.pipEnv() },
  ...extra,
});

describe("dockerize to files", () => {
  it("writes an OCI layout under the snapshot by default, from the packed env, that runs the runtime", async () => {
    const result = await dockerizeRuntime(packed, options());
    const layout = join(packed.snapshotDir, "export", "docker", "oci");
    expect(result.ociLayout).toBe(layout);
    expect(result.layers.find((l) => l.kind === "env")?.from).toBe("packed");
    // configs.docker.image adds <repository>:<version>.
    expect(result.tags).toEqual([
      "registry.example.com/team/packed:v1",
      `registry.example.com/team/configured:${packed.version}`,
    ]);
    expect((await skopeoJson("inspect", `oci:${layout}:${packed.version}`)).Digest).toBe(result.digest);
    const inspected = await skopeoJson("inspect", `oci:${layout}:v1`);
    expect(inspected.Labels).toMatchObject({
      starwhale_runtime_name: "packed",
      starwhale_runtime_version: packed.version,
    });
    const rootfs = await unpackRootfs(`${layout}:v1`);
    expect(await chroot(rootfs, "python", "-c", "import tinypkg01, tinypkg02, sys; print(sys.prefix)")).toBe(
      "/opt/starwhale.user/runtime/export/venv",
    );
    // The entrypoint activates the env before running the command (here: instead of the default shell).
    const spec = await runtimeSpec(rootfs);
    expect(spec).toMatchObject({
      cwd: "/opt/starwhale.user/runtime",
      args: expect.arrayContaining(["/bin/sh"]),
    });
    const entrypoint = spec.args.slice(0, spec.args.indexOf("swhub-runtime") + 1);
    const shown = await chrootWith(
      spec.env,
      rootfs,
      ...entrypoint,
      "sh",
      "-c",
      'echo "$PS1" && command -v python',
    );
    const [prompt, python] = shown.split("\n");
    expect(prompt).toMatch(/^\(.+\) /);
    expect(python).toBe("/opt/starwhale.user/runtime/export/venv/bin/python");
    // The bundle's copy of the packed env stays out of the image: the env is restored already.
    expect(await chroot(rootfs, "ls", "/opt/starwhale.user/runtime/export")).toBe("venv");
  });

  it("restores Starwhale's yamlfull.swrt: lock, wheel from the bundle, native file; commands reported, not run", async () => {
    const yamlfull = await addFixtureBundle(f.store, "yamlfull");
    const lines: string[] = [];
    const progress = { phase() {}, update() {}, log: (line: string) => lines.push(line) };
    const layout = join(f.tmp, "yamlfull-layout");
    await dockerizeRuntime(yamlfull, options({ ociLayout: layout, progress }));
    expect(lines).toContain(
      "the runtime's commands (echo hello-from-commands) were not run: the native builder never runs the image; use --builder buildx to run them",
    );
    const rootfs = await unpackRootfs(`${layout}:v1`);
    expect(await chroot(rootfs, "python", "-c", "import tinypkg05, tinypkg06, tinypkg07; print('ok')")).toBe(
      "ok",
    );
    expect(await chroot(rootfs, "sh", "/opt/starwhale.user/runtime/bin/hello.sh")).toContain("hello");
    // The image says where pip should look, as the runtime asked (configs.pip).
    const inspected = await skopeoJson("inspect", `oci:${layout}:v1`);
    expect(inspected.Env).toContain("SW_PYPI_INDEX_URL=https://example.invalid/simple");
  });

  it("writes a docker archive that skopeo opens by the image's name", async () => {
    const file = join(f.tmp, "packed.tar");
    const result = await dockerizeRuntime(packed, options({ dockerArchive: file }));
    expect(result.ociLayout).toBeUndefined();
    const inspected = await skopeoJson(
      "inspect",
      `docker-archive:${file}:registry.example.com/team/packed:v1`,
    );
    expect(inspected.Labels.starwhale_runtime_version).toBe(packed.version);
    expect((await stat(file)).size).toBeGreaterThan(1_000_000);
    const listed = (await exec("tar", ["-tf", file])).stdout;
    expect(listed).toMatch(/^manifest\.json$/m);
  });

  it("installs with pip instead when the packed env holds binaries for another machine", async () => {
    const lines: string[] = [];
    const progress = { phase() {}, update() {}, log: (line: string) => lines.push(line) };
    const layout = join(f.tmp, "elf-layout");
    const result = await dockerizeRuntime(elfPacked, options({ ociLayout: layout, progress }));
    expect(result.layers.find((l) => l.kind === "env")?.from).toBe("pip");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^the packed environment holds arm64 binaries \(.*_native\.so\); installing with pip for linux\/amd64$/,
      ),
    );
    const rootfs = await unpackRootfs(`${layout}:v1`);
    expect(
      await chroot(rootfs, "python", "-c", "import tinypkg01, os; print(os.listdir(tinypkg01.__path__[0]))"),
    ).not.toMatch(/_native/);
  });

  it("plans without building: base digest, layers, tags, and the Dockerfile written to the snapshot", async () => {
    const before = f.registry.requests().length;
    const plan = await planDockerize(packed, options({ platforms: ["amd64"], push: true }));
    const base = await f.client.headManifest("base/python", "3.11");
    expect(plan.base).toMatchObject({ reference: f.baseName, digest: base?.digest, source: "setting" });
    expect(plan.tags).toEqual([
      "registry.example.com/team/packed:v1",
      `registry.example.com/team/configured:${packed.version}`,
    ]);
    expect(plan.layers.map((l) => l.path)).toEqual([
      "/opt/starwhale.user/runtime",
      "/opt/starwhale.user/runtime/export/venv",
    ]);
    const dockerfile = await readFile(join(packed.snapshotDir, "export", "docker", "Dockerfile"), "utf8");
    expect(plan.dockerfilePath).toBe(join(packed.snapshotDir, "export", "docker", "Dockerfile"));
    expect(dockerfile).toBe(plan.dockerfile);
    expect(dockerfile.split("\n")).toEqual(
      expect.arrayContaining([
        `ARG BASE_IMAGE=${f.baseName}`,
        "LABEL starwhale_runtime_name=packed",
        `LABEL starwhale_runtime_version=${packed.version}`,
        "COPY . /opt/starwhale.user/runtime",
        `RUN echo 'source \${SW_USER_RUNTIME_WORKDIR}/export/venv/bin/activate' >> /root/.bashrc`,
      ]),
    );
    // Nothing was pushed, or even read beyond the base's manifest.
    expect(
      f.registry
        .requests()
        .slice(before)
        .filter((r) => r.method !== "HEAD"),
    ).toEqual([]);
  });

  it("names what the registry said when the base cannot be asked, in the plan", async () => {
    const plan = await planDockerize(packed, options({ base: { override: "127.0.0.1:1/base/none:1" } }));
    expect(plan.base.digest).toBeUndefined();
    expect(plan.base.problem).toBe("cannot reach 127.0.0.1:1: connection refused");
  });
});
