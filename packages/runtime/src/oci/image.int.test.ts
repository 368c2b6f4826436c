import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPythonBaseImage,
  type PythonBaseImage,
  startRegistry,
  type TestRegistry,
} from "../testing/registry";
import { writeDockerArchive } from "./docker-archive";
import { type BuiltImage, buildImage, buildIndex } from "./image";
import { createLayer } from "./layer";
import { initLayout, tagLayoutImages } from "./layout";
import { type PulledImage, pullImage } from "./pull";
import { pushImage } from "./push";
import { type ImageReference, parseReference } from "./reference";
import { createRegistryClient, type RegistryClient } from "./registry";

const exec = promisify(execFile);
const workdir = "/opt/starwhale.user/runtime";

let tmp: string;
let registry: TestRegistry;
let client: RegistryClient;
let base: PythonBaseImage;
let baseRef: ImageReference;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-image-"));
  registry = await startRegistry({ relativeUrls: true });
  client = createRegistryClient({ registry: registry.host, insecure: true });
  base = await buildPythonBaseImage(join(tmp, "base"));
  console.info(`python base image: ${base.millis} ms (${base.cached ? "cached" : "built"})`);
  const pushed = await pushImage(client, "base/python", {
    layoutDir: base.layoutDir,
    root: base.descriptor,
    tags: ["3.11"],
  });
  baseRef = { registry: registry.host, repository: "base/python", digest: pushed.digest };

  await mkdir(join(tmp, "app", "swhub_demo"), { recursive: true });
  await writeFile(join(tmp, "app", "swhub_demo", "__init__.py"), 'GREETING = "hello from the layer"\n');
  await writeFile(join(tmp, "app", "runtime.yaml"), "name: demo\n");
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await rm(tmp, { recursive: true, force: true });
});

/** The dockerize recipe in small: base + one layer with the runtime + Starwhale's labels and env. */
async function buildDemo(layoutDir: string, pulled: PulledImage, version = "v1"): Promise<BuiltImage> {
  const layer = await createLayer(layoutDir, { from: { directory: join(tmp, "app") }, prefix: workdir });
  return buildImage(layoutDir, {
    base: pulled,
    layers: [{ layer, createdBy: `COPY . ${workdir}` }],
    settings: {
      workingDir: workdir,
      env: { PYTHONPATH: workdir, SW_USER_RUNTIME_NAME: "demo", SW_USER_RUNTIME_VERSION: version },
      labels: {
        starwhale_runtime_dockerize: "1",
        starwhale_runtime_name: "demo",
        starwhale_runtime_version: version,
      },
    },
  });
}

async function skopeo(...args: string[]): Promise<string> {
  return (await exec("skopeo", args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** Unpacks an OCI layout image with umoci and runs python in the rootfs with the image's own env. */
async function runPython(layoutRef: string, code: string): Promise<string> {
  const bundle = await mkdtemp(join(tmp, "bundle-"));
  await rm(bundle, { recursive: true });
  await exec("umoci", ["unpack", "--image", layoutRef, bundle]);
  const runtime = JSON.parse(await readFile(join(bundle, "config.json"), "utf8")) as {
    process: { env: string[]; cwd: string };
  };
  const env = Object.fromEntries(
    runtime.process.env.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  // chroot starts in /; the image's working directory is applied as a runtime would.
  const script = 'cd "$1" && shift && exec /usr/bin/python3 -c "$@"';
  const rootfs = join(bundle, "rootfs");
  const { stdout } = await exec(
    "chroot",
    [rootfs, "/bin/sh", "-c", script, "sh", runtime.process.cwd, code],
    { env },
  );
  await rm(bundle, { recursive: true, force: true });
  return stdout.trim();
}

describe("building and pushing an image on a pulled base", () => {
  it("pushes an image that skopeo and umoci read back, with labels, tags and a working python module", async () => {
    const layout = join(tmp, "push-layout");
    const pulled = await pullImage(client, baseRef, { layoutDir: layout, layers: "none" });
    const image = await buildDemo(layout, pulled);
    const result = await pushImage(client, "team/demo", {
      layoutDir: layout,
      root: image.descriptor,
      tags: ["v1", "latest"],
      origins: [pulled.source],
    });
    // Base layers were mounted from base/python, never downloaded or re-uploaded.
    expect(result.mounted.sort()).toEqual(pulled.layers.map((l) => l.digest).sort());
    expect(result.uploaded).toHaveLength(2);

    const inspected = JSON.parse(
      await skopeo("inspect", "--tls-verify=false", `docker://${registry.host}/team/demo:v1`),
    );
    expect(inspected.Digest).toBe(image.descriptor.digest);
    expect(inspected.Labels).toMatchObject({
      starwhale_runtime_name: "demo",
      starwhale_runtime_version: "v1",
    });
    expect(inspected.RepoTags.sort()).toEqual(["latest", "v1"]);
    expect(inspected.Env).toContain(`PYTHONPATH=${workdir}`);

    const copied = join(tmp, "copied");
    await skopeo(
      "copy",
      "--src-tls-verify=false",
      `docker://${registry.host}/team/demo:latest`,
      `oci:${copied}:demo`,
    );
    expect(
      await runPython(`${copied}:demo`, "import os, swhub_demo; print(swhub_demo.GREETING, os.getcwd())"),
    ).toBe(`hello from the layer ${workdir}`);
  });

  it("uploads no blob when the same image is pushed again", async () => {
    const layout = join(tmp, "again-layout");
    const pulled = await pullImage(client, baseRef, { layoutDir: layout, layers: "none" });
    const image = await buildDemo(layout, pulled);
    const push = () =>
      pushImage(client, "team/again", {
        layoutDir: layout,
        root: image.descriptor,
        tags: ["v1"],
        origins: [pulled.source],
      });
    await push();
    const before = registry.requests().length;
    const second = await push();
    const requests = registry.requests().slice(before);
    // The registry's own log: nothing but HEADs and the manifest PUT.
    expect(requests.filter((r) => r.uri.includes("/blobs/uploads/"))).toEqual([]);
    expect(requests.filter((r) => r.method === "PUT").map((r) => r.uri)).toEqual([
      "/v2/team/again/manifests/v1",
    ]);
    expect(second).toMatchObject({ uploaded: [], mounted: [] });
  });

  it("gives the same digests for the same inputs", async () => {
    const one = join(tmp, "repro-1");
    const two = join(tmp, "repro-2");
    const a = await buildDemo(one, await pullImage(client, baseRef, { layoutDir: one, layers: "none" }));
    const b = await buildDemo(two, await pullImage(client, baseRef, { layoutDir: two, layers: "none" }));
    expect(b.descriptor.digest).toBe(a.descriptor.digest);
    expect(b.manifest).toEqual(a.manifest);
    const c = await buildDemo(
      two,
      await pullImage(client, baseRef, { layoutDir: two, layers: "none" }),
      "v2",
    );
    expect(c.descriptor.digest).not.toBe(a.descriptor.digest);
  });

  it("writes an OCI layout that umoci unpacks and skopeo inspects", async () => {
    const layout = join(tmp, "own-layout");
    const image = await buildDemo(layout, await pullImage(client, baseRef, { layoutDir: layout }));
    await tagLayoutImages(layout, [{ descriptor: image.descriptor, tag: "demo" }]);
    const inspected = JSON.parse(await skopeo("inspect", `oci:${layout}:demo`));
    expect(inspected.Labels.starwhale_runtime_dockerize).toBe("1");
    expect(inspected.Layers).toHaveLength(3);
    expect(await runPython(`${layout}:demo`, "import swhub_demo; print(swhub_demo.GREETING)")).toBe(
      "hello from the layer",
    );
  });

  it("writes a docker load tar that skopeo reads as a docker archive", async () => {
    const layout = join(tmp, "archive-layout");
    const image = await buildDemo(layout, await pullImage(client, baseRef, { layoutDir: layout }));
    const archive = join(tmp, "demo.tar");
    await writeDockerArchive(layout, archive, {
      root: image.descriptor,
      repoTags: ["example.com/team/demo:v1"],
    });
    // skopeo finds the image by the name docker load would give it, and only by that name.
    const inspected = JSON.parse(
      await skopeo("inspect", `docker-archive:${archive}:example.com/team/demo:v1`),
    );
    expect(inspected.Labels.starwhale_runtime_name).toBe("demo");
    await expect(skopeo("inspect", `docker-archive:${archive}:example.com/team/demo:v2`)).rejects.toThrow();
    const manifestJson = (await exec("tar", ["-xOf", archive, "manifest.json"])).stdout;
    expect(JSON.parse(manifestJson)[0].Layers).toHaveLength(3);
  });

  it("refuses a docker archive when base layers were not pulled", async () => {
    const layout = join(tmp, "thin-layout");
    const image = await buildDemo(
      layout,
      await pullImage(client, baseRef, { layoutDir: layout, layers: "none" }),
    );
    await expect(
      writeDockerArchive(layout, join(tmp, "thin.tar"), { root: image.descriptor, repoTags: ["demo:v1"] }),
    ).rejects.toThrow(/is not in .*thin-layout/);
  });
});

describe("several platforms", () => {
  let multiRef: ImageReference;
  beforeAll(async () => {
    // A base index: the python image for amd64, and a small busybox-less image claiming arm64.
    const layout = join(tmp, "multi-base");
    await initLayout(layout);
    const amd64 = await pullImage(client, baseRef, { layoutDir: layout });
    const armLayer = await createLayer(layout, {
      from: { entries: [{ path: "etc/arch", type: "file", content: "arm64\n" }] },
    });
    const arm64 = await buildImage(layout, {
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
      layers: [{ layer: armLayer, createdBy: "arm64 marker" }],
    });
    const amdImage: BuiltImage = {
      descriptor: amd64.descriptor,
      manifest: amd64.manifest,
      config: amd64.config,
      platform: amd64.platform,
    };
    const index = await buildIndex(layout, [amdImage, arm64]);
    const pushed = await pushImage(client, "base/multi", { layoutDir: layout, root: index, tags: ["1"] });
    multiRef = parseReference(`${registry.host}/base/multi:1`);
    expect(pushed.digest).toBe(index.digest);
  });

  it("picks the platform from an index and says which ones exist when it is missing", async () => {
    const layout = join(tmp, "pick");
    const arm = await pullImage(client, multiRef, {
      layoutDir: layout,
      platform: { os: "linux", architecture: "arm64" },
    });
    expect(arm.config.architecture).toBe("arm64");
    const amd = await pullImage(client, multiRef, { layoutDir: layout });
    expect(amd.config.architecture).toBe("amd64");
    await expect(
      pullImage(client, multiRef, { layoutDir: layout, platform: { os: "linux", architecture: "s390x" } }),
    ).rejects.toThrow(`${registry.host}/base/multi:1 has no image for linux/s390x`);
    await expect(
      pullImage(client, baseRef, { layoutDir: layout, platform: { os: "linux", architecture: "arm64" } }),
    ).rejects.toThrow(/is an image for linux\/amd64, not linux\/arm64/);
  });

  it("pushes an index of images built for each platform", async () => {
    const layout = join(tmp, "multi-out");
    const images: BuiltImage[] = [];
    const origins = [];
    for (const architecture of ["amd64", "arm64"]) {
      const pulled = await pullImage(client, multiRef, {
        layoutDir: layout,
        layers: "none",
        platform: { os: "linux", architecture },
      });
      images.push(await buildDemo(layout, pulled));
      origins.push(pulled.source);
    }
    const index = await buildIndex(layout, images);
    await pushImage(client, "team/multi", { layoutDir: layout, root: index, tags: ["v1"], origins });
    const raw = JSON.parse(
      await skopeo("inspect", "--raw", "--tls-verify=false", `docker://${registry.host}/team/multi:v1`),
    );
    expect(raw.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(raw.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(
      ["amd64", "arm64"],
    );
    const arm = JSON.parse(
      await skopeo(
        "inspect",
        "--override-arch",
        "arm64",
        "--tls-verify=false",
        `docker://${registry.host}/team/multi:v1`,
      ),
    );
    expect(arm).toMatchObject({ Architecture: "arm64", Labels: { starwhale_runtime_name: "demo" } });
  });

  it("builds on a base stored as a Docker v2 schema 2 manifest", async () => {
    const dockerRef = `${registry.host}/base/docker-format:1`;
    await skopeo(
      "copy",
      "--format",
      "v2s2",
      "--dest-tls-verify=false",
      `oci:${base.layoutDir}:${base.tag}`,
      `docker://${dockerRef}`,
    );
    const layout = join(tmp, "from-v2s2");
    const pulled = await pullImage(client, parseReference(dockerRef), { layoutDir: layout, layers: "none" });
    expect(pulled.descriptor.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    const image = await buildDemo(layout, pulled);
    expect(new Set(image.manifest.layers.map((l) => l.mediaType))).toEqual(
      new Set(["application/vnd.oci.image.layer.v1.tar+gzip"]),
    );
    await pushImage(client, "team/from-docker", {
      layoutDir: layout,
      root: image.descriptor,
      tags: ["v1"],
      origins: [pulled.source],
    });
    // A Docker manifest list over it is read like an OCI index.
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
        manifests: [{ ...pulled.descriptor, platform: { architecture: "amd64", os: "linux" } }],
      }),
    );
    await client.putManifest(
      "base/docker-format",
      "list",
      list,
      "application/vnd.docker.distribution.manifest.list.v2+json",
    );
    const fromList = await pullImage(client, parseReference(`${registry.host}/base/docker-format:list`), {
      layoutDir: layout,
      layers: "none",
    });
    expect(fromList.descriptor.digest).toBe(pulled.descriptor.digest);
    const copied = join(tmp, "from-docker-copy");
    await skopeo(
      "copy",
      "--src-tls-verify=false",
      `docker://${registry.host}/team/from-docker:v1`,
      `oci:${copied}:x`,
    );
    expect(await runPython(`${copied}:x`, "import swhub_demo; print('ok')")).toBe("ok");
  });
});
