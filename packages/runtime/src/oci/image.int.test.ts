import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoWorkdir,
  type ImageFixture,
  runPython,
  skopeo,
  startImageFixture,
} from "../testing/image-fixture";
import { startRegistry } from "../testing/registry";
import { writeDockerArchive } from "./docker-archive";
import { tagLayoutImages } from "./layout";
import { pullImage } from "./pull";
import { pushImage } from "./push";
import { createRegistryClient } from "./registry";

const exec = promisify(execFile);
let f: ImageFixture;
beforeAll(async () => {
  f = await startImageFixture();
});
afterAll(() => f?.stop());

describe("building and pushing an image on a pulled base", () => {
  it("pushes an image that skopeo and umoci read back, with labels, tags and a working python module", async () => {
    const layout = join(f.tmp, "push-layout");
    const pulled = await pullImage(f.client, f.baseRef, { layoutDir: layout, layers: "none" });
    const image = await f.buildDemo(layout, pulled);
    const result = await pushImage(f.client, "team/demo", {
      layoutDir: layout,
      root: image.descriptor,
      tags: ["v1", "latest"],
      origins: [pulled.source],
    });
    // Base layers were mounted from base/python, never downloaded or re-uploaded.
    expect(result.mounted.sort()).toEqual(pulled.layers.map((l) => l.digest).sort());
    expect(result.uploaded).toHaveLength(2);

    const inspected = JSON.parse(
      await skopeo("inspect", "--tls-verify=false", `docker://${f.registry.host}/team/demo:v1`),
    );
    expect(inspected.Digest).toBe(image.descriptor.digest);
    expect(inspected.Labels).toMatchObject({
      starwhale_runtime_name: "demo",
      starwhale_runtime_version: "v1",
    });
    expect(inspected.RepoTags.sort()).toEqual(["latest", "v1"]);
    expect(inspected.Env).toContain(`PYTHONPATH=${demoWorkdir}`);

    const copied = join(f.tmp, "copied");
    await skopeo(
      "copy",
      "--src-tls-verify=false",
      `docker://${f.registry.host}/team/demo:latest`,
      `oci:${copied}:demo`,
    );
    expect(
      await runPython(`${copied}:demo`, "import os, swhub_demo; print(swhub_demo.GREETING, os.getcwd())"),
    ).toBe(`hello from the layer ${demoWorkdir}`);
  });

  it("uploads no blob when the same image is pushed again", async () => {
    const layout = join(f.tmp, "again-layout");
    const pulled = await pullImage(f.client, f.baseRef, { layoutDir: layout, layers: "none" });
    const image = await f.buildDemo(layout, pulled);
    const push = () =>
      pushImage(f.client, "team/again", {
        layoutDir: layout,
        root: image.descriptor,
        tags: ["v1"],
        origins: [pulled.source],
      });
    await push();
    const before = f.registry.requests().length;
    const second = await push();
    const requests = f.registry.requests().slice(before);
    // The registry's own log: nothing but HEADs and the manifest PUT.
    expect(requests.filter((r) => r.uri.includes("/blobs/uploads/"))).toEqual([]);
    expect(requests.filter((r) => r.method === "PUT").map((r) => r.uri)).toEqual([
      "/v2/team/again/manifests/v1",
    ]);
    expect(second).toMatchObject({ uploaded: [], mounted: [] });
  });

  it("gives the same digests for the same inputs", async () => {
    const one = join(f.tmp, "repro-1");
    const two = join(f.tmp, "repro-2");
    const a = await f.buildDemo(
      one,
      await pullImage(f.client, f.baseRef, { layoutDir: one, layers: "none" }),
    );
    const b = await f.buildDemo(
      two,
      await pullImage(f.client, f.baseRef, { layoutDir: two, layers: "none" }),
    );
    expect(b.descriptor.digest).toBe(a.descriptor.digest);
    expect(b.manifest).toEqual(a.manifest);
    const c = await f.buildDemo(
      two,
      await pullImage(f.client, f.baseRef, { layoutDir: two, layers: "none" }),
      "v2",
    );
    expect(c.descriptor.digest).not.toBe(a.descriptor.digest);
  });

  it("writes an OCI layout that umoci unpacks and skopeo inspects", async () => {
    const layout = join(f.tmp, "own-layout");
    const image = await f.buildDemo(layout, await pullImage(f.client, f.baseRef, { layoutDir: layout }));
    await tagLayoutImages(layout, [{ descriptor: image.descriptor, tag: "demo" }]);
    const inspected = JSON.parse(await skopeo("inspect", `oci:${layout}:demo`));
    expect(inspected.Labels.starwhale_runtime_dockerize).toBe("1");
    expect(inspected.Layers).toHaveLength(3);
    expect(await runPython(`${layout}:demo`, "import swhub_demo; print(swhub_demo.GREETING)")).toBe(
      "hello from the layer",
    );
  });

  it("writes a docker load tar that skopeo reads as a docker archive", async () => {
    const layout = join(f.tmp, "archive-layout");
    const image = await f.buildDemo(layout, await pullImage(f.client, f.baseRef, { layoutDir: layout }));
    const archive = join(f.tmp, "demo.tar");
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
    const layout = join(f.tmp, "thin-layout");
    const image = await f.buildDemo(
      layout,
      await pullImage(f.client, f.baseRef, { layoutDir: layout, layers: "none" }),
    );
    await expect(
      writeDockerArchive(layout, join(f.tmp, "thin.tar"), { root: image.descriptor, repoTags: ["demo:v1"] }),
    ).rejects.toThrow(/is not in .*thin-layout/);
  });

  it("copies base layers from another registry, which cannot mount them", async () => {
    const other = await startRegistry();
    const target = createRegistryClient({ registry: other.host, insecure: true });
    try {
      const layout = join(f.tmp, "cross-registry");
      const pulled = await pullImage(f.client, f.baseRef, { layoutDir: layout, layers: "none" });
      const image = await f.buildDemo(layout, pulled);
      const result = await pushImage(target, "team/demo", {
        layoutDir: layout,
        root: image.descriptor,
        tags: ["v1"],
        origins: [pulled.source],
      });
      expect(result.uploaded).toHaveLength(image.manifest.layers.length + 1);
      // Every blob is really there: skopeo copies the whole image out of the second registry.
      await skopeo(
        "copy",
        "--src-tls-verify=false",
        `docker://${other.host}/team/demo:v1`,
        `oci:${join(f.tmp, "cross-copy")}:x`,
      );
    } finally {
      await target.close();
      await other.stop();
    }
  });
});
