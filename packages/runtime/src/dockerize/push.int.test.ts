import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addFixtureDemo,
  chroot,
  type DockerizeFixture,
  pullRootfs,
  skopeoJson,
  startDockerizeFixture,
  uploadsSince,
} from "../testing/dockerize-fixture";
import type { TestRuntime } from "../testing/runtime-bundles";
import { type DockerizeOptions, dockerizeRuntime } from "./dockerize";

let f: DockerizeFixture;
let demo: TestRuntime;
beforeAll(async () => {
  f = await startDockerizeFixture();
  demo = await addFixtureDemo(f.store);
});
afterAll(() => f?.stop());

const options = (extra: Partial<DockerizeOptions> = {}): DockerizeOptions => ({
  push: true,
  base: { override: f.baseName },
  registries: { insecure: [f.registry.host] },
  env: { pipEnv: f.pipEnv() },
  ...extra,
});

describe("dockerize and push", () => {
  it("pushes an image that skopeo reads and whose python imports the locked packages", async () => {
    const result = await dockerizeRuntime(
      demo,
      options({ tags: [`${f.registry.host}/team/demo:v1`, `${f.registry.host}/team/demo:latest`] }),
    );
    expect(result.platforms).toEqual(["linux/amd64"]);
    expect(result.base).toMatchObject({
      name: f.baseName,
      python: "/usr/bin/python3.11",
      pythonVersion: "3.11",
    });
    expect(result.layers.map((l) => [l.kind, l.cached, l.from])).toEqual([
      ["bundle", false, undefined],
      ["env", false, "pip"],
    ]);

    const inspected = await skopeoJson(
      "inspect",
      "--tls-verify=false",
      `docker://${f.registry.host}/team/demo:v1`,
    );
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Labels).toMatchObject({
      starwhale_runtime_dockerize: "1",
      starwhale_runtime_name: "demo",
      starwhale_runtime_version: demo.version,
    });
    expect((inspected.RepoTags as string[]).sort()).toEqual(["latest", "v1"]);
    expect(inspected.Env).toEqual(
      expect.arrayContaining([
        "VIRTUAL_ENV=/opt/starwhale.user/runtime/export/venv",
        `SW_USER_RUNTIME_VERSION=${demo.version}`,
        "SW_RUNTIME_PYTHON_VERSION=3.11",
      ]),
    );

    const rootfs = await pullRootfs(f.registry, "team/demo:v1");
    expect(await chroot(rootfs, "python", "-c", "import tinypkg01, tinypkg02, sys; print(sys.prefix)")).toBe(
      "/opt/starwhale.user/runtime/export/venv",
    );
    // The bundle is at the work dir, and the environment's pip works in the image.
    expect(await chroot(rootfs, "ls", "/opt/starwhale.user/runtime")).toMatch(/_manifest\.yaml/);
    expect(await chroot(rootfs, "python", "-m", "pip", "--version")).toMatch(/export\/venv/);
  });

  it("pushes no layer when the same version is dockerized again, and makes none", async () => {
    const tags = [`${f.registry.host}/team/again:v1`];
    await dockerizeRuntime(demo, options({ tags }));
    const before = f.registry.requests().length;
    const second = await dockerizeRuntime(demo, options({ tags }));
    expect(uploadsSince(f.registry, before)).toEqual([]);
    expect(second.layers.every((l) => l.cached)).toBe(true);
    expect(second.pushed[0]).toMatchObject({ uploaded: 0, mounted: 0 });
  });

  it("gives the same digest for the same version, from scratch, in another work dir", async () => {
    // The first test made this image in the snapshot's work dir; here every layer is made again elsewhere.
    const tags = [`${f.registry.host}/team/demo:v1`];
    const first = await dockerizeRuntime(demo, options({ tags }));
    const again = await dockerizeRuntime(demo, options({ tags, workDir: join(f.tmp, "elsewhere") }));
    expect(first.layers.every((l) => l.cached)).toBe(true);
    expect(again.layers.some((l) => l.cached)).toBe(false);
    expect(again.digest).toBe(first.digest);
  });

  it("fails with one clear line when no tag is given", async () => {
    await expect(dockerizeRuntime(demo, options({ tags: [] }))).rejects.toThrow(
      /^no image tag: the image needs at least one name to be tagged with$/,
    );
  });
});
