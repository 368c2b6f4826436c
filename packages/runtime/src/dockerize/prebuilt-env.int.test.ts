import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultBundleMtime } from "../bundle/pack";
import { type PackedEnv, packEnv } from "../bundle/packed-env";
import {
  chroot,
  type DockerizeFixture,
  fixtureWheels,
  pullRootfs,
  skopeoJson,
  startDockerizeFixture,
  unpackRootfs,
  uploadsSince,
} from "../testing/dockerize-fixture";
import { createVenv, pipInstall, pythonInfo } from "../testing/python";
import { type TestRuntime, writeRuntimeVersion } from "../testing/runtime-bundles";
import { type DockerizeOptions, dockerizeRuntime } from "./dockerize";

// Runtimes built with --pack-env: the packed environment is pushed as it is, an image layer since the build.
let f: DockerizeFixture;
let packed: PackedEnv;
let runtime: TestRuntime;
let python: string;
const lock = ["tinypkg01==1.0.1", "tinypkg02==1.0.2"];
beforeAll(async () => {
  f = await startDockerizeFixture();
  const venv = await createVenv(join(f.tmp, "venv"));
  await pipInstall(venv, ["tinypkg01", "tinypkg02"], { findLinks: fixtureWheels });
  python = (await pythonInfo()).version.split(".").slice(0, 2).join(".");
  packed = await packEnv(venv, join(f.tmp, "env.tar.gz"));
  runtime = await writeRuntimeVersion(f.store, { name: "prebuilt", python, lock, packedEnv: packed });
});
afterAll(() => f?.stop());

const options = (extra: Partial<DockerizeOptions> = {}): DockerizeOptions => ({
  push: true,
  base: { override: f.baseName },
  registries: { insecure: [f.registry.host] },
  // No index and no wheels for pip: the prebuilt path must not need them.
  env: { pipEnv: { ...f.pipEnv(), PIP_FIND_LINKS: join(f.tmp, "no-wheels-here") } },
  ...extra,
});

describe("dockerize a runtime whose packed env is an image layer", () => {
  it("pushes the packed env as it is, and the image runs the runtime's packages", async () => {
    const before = f.registry.requests().length;
    const result = await dockerizeRuntime(runtime, options({ tags: [`${f.registry.host}/team/fast:v1`] }));
    expect(result.layers.map((l) => [l.kind, l.cached, l.from])).toEqual([
      ["bundle", false, undefined],
      ["env", false, "prebuilt"],
      ["env-config", false, undefined],
    ]);
    // The very blob the build wrote, byte for byte.
    const env = result.layers[1]!;
    expect(env).toMatchObject({ digest: packed.digest, size: packed.size });
    const archive = await readFile(packed.path);
    expect(env.digest).toBe(`sha256:${createHash("sha256").update(archive).digest("hex")}`);
    expect(uploadsSince(f.registry, before).some((u) => u.includes(packed.digest.slice(7)))).toBe(true);

    const inspected = await skopeoJson(
      "inspect",
      "--tls-verify=false",
      `docker://${f.registry.host}/team/fast:v1`,
    );
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Labels).toMatchObject({
      starwhale_runtime_name: "prebuilt",
      starwhale_runtime_version: runtime.version,
    });
    expect(inspected.Layers).toEqual(expect.arrayContaining([packed.digest]));

    const rootfs = await pullRootfs(f.registry, "team/fast:v1");
    expect(await chroot(rootfs, "python", "-c", "import tinypkg01, tinypkg02, sys; print(sys.prefix)")).toBe(
      "/opt/starwhale.user/runtime/export/venv",
    );
    const venv = "/opt/starwhale.user/runtime/export/venv";
    expect(await chroot(rootfs, "readlink", `${venv}/bin/python`)).toBe("/usr/bin/python3.11");
    expect(await chroot(rootfs, "cat", `${venv}/pyvenv.cfg`)).toContain("home = /usr/bin");
    // Scripts name the image's prefix; pip runs.
    expect(await chroot(rootfs, `${venv}/bin/pip`, "--version")).toContain(`${venv}/lib/python${python}`);
    // The .pyc files pip compiled still match their sources' (fixed) times: Python used them as they were.
    const cache = join(rootfs, venv, "lib", `python${python}`, "site-packages", "tinypkg01", "__pycache__");
    const pycs = await readdir(cache);
    expect(pycs.length).toBeGreaterThan(0);
    for (const pyc of pycs) expect((await stat(join(cache, pyc))).mtimeMs / 1000).toBe(defaultBundleMtime);
  });

  it("makes and pushes nothing the second time", async () => {
    const tags = [`${f.registry.host}/team/fast:v1`];
    const before = f.registry.requests().length;
    const again = await dockerizeRuntime(runtime, options({ tags }));
    expect(again.layers.every((l) => l.cached)).toBe(true);
    expect(uploadsSince(f.registry, before)).toEqual([]);
  });

  it("writes the same image to an OCI layout that umoci unpacks", async () => {
    const layout = join(f.tmp, "layout");
    const result = await dockerizeRuntime(
      runtime,
      options({ push: false, ociLayout: layout, tags: ["fast:v1"] }),
    );
    expect(result.layers[1]?.digest).toBe(packed.digest);
    const rootfs = await unpackRootfs(`${layout}:v1`);
    expect(await chroot(rootfs, "python", "-c", "import tinypkg02; print('ok')")).toBe("ok");
  });

  it("installs with pip instead, and says why, when the packed env holds binaries for another machine", async () => {
    const venv = await createVenv(join(f.tmp, "arm-venv"));
    await pipInstall(venv, ["tinypkg01", "tinypkg02"], { findLinks: fixtureWheels });
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf[4] = 2;
    elf[5] = 1;
    elf.writeUInt16LE(183, 18);
    await writeFile(join(venv, "lib", `python${python}`, "site-packages", "tinypkg01", "_native.so"), elf);
    const armPacked = await packEnv(venv, join(f.tmp, "arm.tar.gz"));
    expect(armPacked.layer?.architectures).toEqual(["arm64"]);
    const arm = await writeRuntimeVersion(f.store, { name: "armpacked", python, lock, packedEnv: armPacked });
    const logs: string[] = [];
    const result = await dockerizeRuntime(
      arm,
      options({
        tags: [`${f.registry.host}/team/armpacked:v1`],
        env: { pipEnv: f.pipEnv() },
        progress: { phase() {}, update() {}, log: (line) => logs.push(line) },
      }),
    );
    expect(result.layers.map((l) => [l.kind, l.from])).toEqual([
      ["bundle", undefined],
      ["env", "pip"],
    ]);
    expect(logs).toContain(
      "the packed environment holds arm64 binaries, not linux/amd64; installing with pip for linux/amd64",
    );
  });

  it("fails with one clear line when the bundle's packed env is not the layer its manifest records", async () => {
    const other = await packEnv(await createVenv(join(f.tmp, "empty-venv")), join(f.tmp, "other.tar.gz"));
    // The manifest of one env, the archive of another.
    const damaged = await writeRuntimeVersion(f.store, {
      name: "damaged",
      python,
      lock,
      packedEnv: { ...packed, layer: other.layer! },
    });
    await expect(
      dockerizeRuntime(damaged, options({ tags: [`${f.registry.host}/team/damaged:v1`] })),
    ).rejects.toThrow(
      `${damaged.bundlePath}: export/venv_env.tar.gz is not the layer its manifest records (${packed.size} bytes)`,
    );
  });
});
