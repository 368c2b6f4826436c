import { rename } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJsonBlob, writeJsonBlob } from "../oci/layout";
import { pushImage } from "../oci/push";
import { type Descriptor, type ImageConfig, type Manifest, mediaTypes } from "../oci/types";
import {
  addFixtureDemo,
  chroot,
  type DockerizeFixture,
  pullRootfs,
  skopeoJson,
  startDockerizeFixture,
} from "../testing/dockerize-fixture";
import { buildWheel } from "../testing/python";
import { type TestRuntime, writeRuntimeVersion } from "../testing/runtime-bundles";
import { type DockerizeOptions, dockerizeRuntime } from "./dockerize";

// A base index with an amd64 and an "arm64" image. The arm64 one reuses the amd64 layers under an arm64 config:
// the builder never runs the base, so what it needs is the platform and the files, and chroot can still run it here.
let f: DockerizeFixture;
let demo: TestRuntime;
let multiBase: string;
let wheels: string;
beforeAll(async () => {
  f = await startDockerizeFixture();
  demo = await addFixtureDemo(f.store);
  const layout = f.base.layoutDir;
  const manifest = (await readJsonBlob(layout, f.base.descriptor.digest)) as Manifest;
  const config = (await readJsonBlob(layout, manifest.config.digest)) as ImageConfig;
  const armConfig = await writeJsonBlob(
    layout,
    { ...config, architecture: "arm64", variant: "v8" },
    mediaTypes.ociConfig,
  );
  const armManifest = await writeJsonBlob(layout, { ...manifest, config: armConfig }, mediaTypes.ociManifest);
  const platformed = (d: Descriptor, architecture: string): Descriptor => ({
    ...d,
    platform: { os: "linux", architecture },
  });
  const index = await writeJsonBlob(
    layout,
    {
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [platformed(f.base.descriptor, "amd64"), platformed(armManifest, "arm64")],
    },
    mediaTypes.ociIndex,
  );
  await pushImage(f.client, "base/multi", { layoutDir: layout, root: index, tags: ["3.11"] });
  multiBase = `${f.registry.host}/base/multi:3.11`;

  // A package published only as a wheel for x86_64 Linux.
  wheels = join(f.tmp, "wheels");
  const wheel = await buildWheel(wheels, { name: "tinyplat", version: "1.0" });
  await rename(wheel, join(wheels, "tinyplat-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"));
});
afterAll(() => f?.stop());

const options = (extra: Partial<DockerizeOptions> = {}): DockerizeOptions => ({
  push: true,
  base: { override: multiBase },
  registries: { insecure: [f.registry.host] },
  env: { pipEnv: f.pipEnv(wheels) },
  ...extra,
});

describe("dockerize for several platforms", () => {
  it("pushes an index with an image per platform, each with the runtime's environment", async () => {
    const result = await dockerizeRuntime(
      demo,
      options({ tags: [`${f.registry.host}/team/multi:v1`], platforms: ["amd64", "arm64"] }),
    );
    expect(result.mediaType).toBe(mediaTypes.ociIndex);
    expect(result.platforms).toEqual(["linux/amd64", "linux/arm64/v8"]);
    const raw = await skopeoJson(
      "inspect",
      "--raw",
      "--tls-verify=false",
      `docker://${f.registry.host}/team/multi:v1`,
    );
    const manifests = raw.manifests as { platform: { architecture: string } }[];
    expect(manifests.map((m) => m.platform.architecture)).toEqual(["amd64", "arm64"]);
    for (const arch of ["amd64", "arm64"]) {
      const inspected = await skopeoJson(
        "inspect",
        "--override-arch",
        arch,
        "--tls-verify=false",
        `docker://${f.registry.host}/team/multi:v1`,
      );
      expect(inspected).toMatchObject({
        Architecture: arch,
        Labels: { starwhale_runtime_version: demo.version },
      });
    }
    // The arm64 environment was installed for arm64 (binary wheels only); these wheels are pure Python.
    const rootfs = await pullRootfs(f.registry, "team/multi:v1", "arm64");
    expect(await chroot(rootfs, "python", "-c", "import tinypkg01, tinypkg02; print('ok')")).toBe("ok");
  });

  it("names the platform a base image lacks", async () => {
    const attempt = dockerizeRuntime(
      demo,
      options({
        tags: [`${f.registry.host}/team/x:v1`],
        platforms: ["arm64"],
        base: { override: f.baseName },
      }),
    );
    await expect(attempt).rejects.toThrow(`the base image ${f.baseName} has no image for linux/arm64`);
  });

  it("names the package that has no wheel for a platform", async () => {
    const plat = await writeRuntimeVersion(f.store, { name: "plat", lock: ["tinyplat==1.0"] });
    const ok = await dockerizeRuntime(plat, options({ tags: [`${f.registry.host}/team/plat:v1`] }));
    expect(ok.platforms).toEqual(["linux/amd64"]);
    const attempt = dockerizeRuntime(
      plat,
      options({ tags: [`${f.registry.host}/team/plat:v2`], platforms: ["arm64"] }),
    );
    await expect(attempt).rejects.toThrow(
      /^cannot build the environment for linux\/arm64\/v8, Python 3\.11: no wheel of tinyplat==1\.0 fits it$/,
    );
  });

  it("refuses a platform a runtime is not built for, and a base whose Python is not the runtime's", async () => {
    const amd = await writeRuntimeVersion(f.store, { name: "amdonly", lock: [], arch: ["amd64"] });
    await expect(
      dockerizeRuntime(amd, options({ tags: [`${f.registry.host}/team/x:1`], platforms: ["arm64"] })),
    ).rejects.toThrow("runtime amdonly is built for amd64 and cannot run on linux/arm64");
    const old = await writeRuntimeVersion(f.store, { name: "old", lock: [], python: "3.9" });
    await expect(dockerizeRuntime(old, options({ tags: [`${f.registry.host}/team/x:1`] }))).rejects.toThrow(
      `the base image ${multiBase} cannot serve this runtime: it needs Python 3.9, and the image has Python 3.11`,
    );
  });

  it("refuses a platform it does not know with the choices", async () => {
    await expect(
      dockerizeRuntime(demo, options({ tags: [`${f.registry.host}/team/x:1`], platforms: ["s390x"] })),
    ).rejects.toThrow(/^unknown platform "s390x"$/);
  });
});
