import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ImageFixture, runPython, skopeo, startImageFixture } from "../testing/image-fixture";
import { type BuiltImage, buildImage, buildIndex } from "./image";
import { createLayer } from "./layer";
import { initLayout } from "./layout";
import { pullImage } from "./pull";
import { pushImage } from "./push";
import { type ImageReference, parseReference } from "./reference";

let f: ImageFixture;
beforeAll(async () => {
  f = await startImageFixture();
});
afterAll(() => f?.stop());

describe("several platforms", () => {
  let multiRef: ImageReference;
  beforeAll(async () => {
    // A base index: the python image for amd64, and a small busybox-less image claiming arm64.
    const layout = join(f.tmp, "multi-base");
    await initLayout(layout);
    const amd64 = await pullImage(f.client, f.baseRef, { layoutDir: layout });
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
    const pushed = await pushImage(f.client, "base/multi", { layoutDir: layout, root: index, tags: ["1"] });
    multiRef = parseReference(`${f.registry.host}/base/multi:1`);
    expect(pushed.digest).toBe(index.digest);
  });

  it("picks the platform from an index and says which ones exist when it is missing", async () => {
    const layout = join(f.tmp, "pick");
    const arm = await pullImage(f.client, multiRef, {
      layoutDir: layout,
      platform: { os: "linux", architecture: "arm64" },
    });
    expect(arm.config.architecture).toBe("arm64");
    const amd = await pullImage(f.client, multiRef, { layoutDir: layout });
    expect(amd.config.architecture).toBe("amd64");
    await expect(
      pullImage(f.client, multiRef, { layoutDir: layout, platform: { os: "linux", architecture: "s390x" } }),
    ).rejects.toThrow(`${f.registry.host}/base/multi:1 has no image for linux/s390x`);
    await expect(
      pullImage(f.client, f.baseRef, { layoutDir: layout, platform: { os: "linux", architecture: "arm64" } }),
    ).rejects.toThrow(/is an image for linux\/amd64, not linux\/arm64/);
  });

  it("pushes an index of images built for each platform", async () => {
    const layout = join(f.tmp, "multi-out");
    const images: BuiltImage[] = [];
    const origins = [];
    for (const architecture of ["amd64", "arm64"]) {
      const pulled = await pullImage(f.client, multiRef, {
        layoutDir: layout,
        layers: "none",
        platform: { os: "linux", architecture },
      });
      images.push(await f.buildDemo(layout, pulled));
      origins.push(pulled.source);
    }
    const index = await buildIndex(layout, images);
    await pushImage(f.client, "team/multi", { layoutDir: layout, root: index, tags: ["v1"], origins });
    const raw = JSON.parse(
      await skopeo("inspect", "--raw", "--tls-verify=false", `docker://${f.registry.host}/team/multi:v1`),
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
        `docker://${f.registry.host}/team/multi:v1`,
      ),
    );
    expect(arm).toMatchObject({ Architecture: "arm64", Labels: { starwhale_runtime_name: "demo" } });
  });

  it("builds on a base stored as a Docker v2 schema 2 manifest", async () => {
    const dockerRef = `${f.registry.host}/base/docker-format:1`;
    await skopeo(
      "copy",
      "--format",
      "v2s2",
      "--dest-tls-verify=false",
      `oci:${f.base.layoutDir}:${f.base.tag}`,
      `docker://${dockerRef}`,
    );
    const layout = join(f.tmp, "from-v2s2");
    const pulled = await pullImage(f.client, parseReference(dockerRef), {
      layoutDir: layout,
      layers: "none",
    });
    expect(pulled.descriptor.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json");
    const image = await f.buildDemo(layout, pulled);
    expect(new Set(image.manifest.layers.map((l) => l.mediaType))).toEqual(
      new Set(["application/vnd.oci.image.layer.v1.tar+gzip"]),
    );
    await pushImage(f.client, "team/from-docker", {
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
    await f.client.putManifest(
      "base/docker-format",
      "list",
      list,
      "application/vnd.docker.distribution.manifest.list.v2+json",
    );
    const fromList = await pullImage(f.client, parseReference(`${f.registry.host}/base/docker-format:list`), {
      layoutDir: layout,
      layers: "none",
    });
    expect(fromList.descriptor.digest).toBe(pulled.descriptor.digest);
    const copied = join(f.tmp, "from-docker-copy");
    await skopeo(
      "copy",
      "--src-tls-verify=false",
      `docker://${f.registry.host}/team/from-docker:v1`,
      `oci:${copied}:x`,
    );
    expect(await runPython(`${copied}:x`, "import swhub_demo; print('ok')")).toBe("ok");
  });
});
