/**
 * Push speed: our registry client against `skopeo copy oci:DIR docker://…`, same OCI layout, same run.
 * Every push goes to a fresh loopback registry, so neither side can skip or mount a blob (skopeo keeps a
 * blob-location cache across runs, and Distribution finishes faster when a blob already exists).
 *
 *   pnpm tsx bench/push.ts [--mb 200] [--runs 5]
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { buildImage } from "@swhub/runtime/oci/image";
import { createLayer } from "@swhub/runtime/oci/layer";
import { initLayout, tagLayoutImages } from "@swhub/runtime/oci/layout";
import { pushImage } from "@swhub/runtime/oci/push";
import { createRegistryClient } from "@swhub/runtime/oci/registry";
import { startRegistry } from "@swhub/runtime/testing/registry";

const exec = promisify(execFile);
const { values } = parseArgs({
  options: { mb: { type: "string", default: "200" }, runs: { type: "string", default: "5" } },
});
const totalMb = Number(values.mb);
const runs = Number(values.runs);

const work = await mkdtemp(join(tmpdir(), "swhub-bench-push-"));
try {
  const layout = join(work, "layout");
  await initLayout(layout);
  console.log(`building an image with ${totalMb} MB of layer content...`);
  // Mostly incompressible (wheels, shared objects) in layers of different sizes, plus a few small files.
  const sizes = [0.4, 0.3, 0.2, 0.1].map((f) => Math.round(totalMb * f));
  const layers = [];
  for (const [i, mb] of sizes.entries()) {
    const dir = join(work, `content-${i}`);
    await mkdir(dir, { recursive: true });
    for (let f = 0; f < mb; f += 8)
      await writeFile(join(dir, `part-${f}.bin`), randomBytes(Math.min(8, mb - f) * 1024 * 1024));
    for (let f = 0; f < 50; f++) await writeFile(join(dir, `small-${f}.py`), `x = ${f}\n`.repeat(100));
    layers.push({
      layer: await createLayer(layout, {
        from: { directory: dir },
        prefix: `/opt/bench/${i}`,
        compressionLevel: 1,
      }),
      createdBy: `layer ${i}`,
    });
    await rm(dir, { recursive: true });
  }
  const image = await buildImage(layout, { platform: { os: "linux", architecture: "amd64" }, layers });
  await tagLayoutImages(layout, [{ descriptor: image.descriptor, tag: "bench" }]);
  const bytes = image.manifest.layers.reduce((s, l) => s + l.size, 0);
  console.log(
    `layers: ${image.manifest.layers.map((l) => `${(l.size / 1e6).toFixed(1)} MB`).join(", ")} (${(bytes / 1e6).toFixed(0)} MB)`,
  );

  const ours: number[] = [];
  const skopeo: number[] = [];
  for (let run = 0; run < runs; run++) {
    // Alternate who goes first, so neither always gets the warmer page cache.
    const order = run % 2 === 0 ? ["ours", "skopeo"] : ["skopeo", "ours"];
    for (const who of order) {
      const registry = await startRegistry();
      try {
        const started = performance.now();
        if (who === "ours") {
          const client = createRegistryClient({ registry: registry.host, insecure: true });
          const result = await pushImage(client, "bench/ours", {
            layoutDir: layout,
            root: image.descriptor,
            tags: ["v1"],
          });
          await client.close();
          if (result.uploaded.length !== layers.length + 1)
            throw new Error("expected every blob to be uploaded");
          ours.push(performance.now() - started);
        } else {
          await exec("skopeo", [
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            `oci:${layout}:bench`,
            `docker://${registry.host}/bench/skopeo:v1`,
          ]);
          skopeo.push(performance.now() - started);
        }
        const uploads = registry
          .requests()
          .filter((r) => r.method !== "HEAD" && r.uri.includes("/blobs/uploads/"));
        if (uploads.length === 0) throw new Error(`${who} uploaded nothing`);
      } finally {
        await registry.stop();
      }
    }
    console.log(`run ${run + 1}: ours ${ours.at(-1)!.toFixed(0)} ms, skopeo ${skopeo.at(-1)!.toFixed(0)} ms`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mbps = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);
  console.log(`median ours:   ${median(ours).toFixed(0)} ms (${mbps(median(ours))} MB/s)`);
  console.log(`median skopeo: ${median(skopeo).toFixed(0)} ms (${mbps(median(skopeo))} MB/s)`);
  console.log(`ratio ours/skopeo: ${(median(ours) / median(skopeo)).toFixed(2)}x (target <= 1.30x)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
