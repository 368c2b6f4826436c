/*
 * Dockerize speed: `dockerizeRuntime` pushing a `--pack-env` runtime whose environment is about --mb megabytes,
 * against `skopeo copy` of the same image from an OCI layout to the same registry, in the same run.
 *
 *   pnpm tsx bench/dockerize.ts [--mb 200] [--runs 5] [--level 6] [--legacy]
 *
 * Every run gets a fresh registry, seeded (untimed) with the python base image; both sides push into the base's
 * repository under a new tag, so both skip exactly the base's layers (already there) and upload the same new
 * blobs: the runtime layer, the environment layer (the packed env as the build wrote it), the layer of links to
 * the base's Python, and the config. Timed:
 *   ours, first:  the first dockerize of the version: its layers and blobs removed from the work dir (swcli keeps
 *                 one for every version, so the base's Python is known from dockerizing others on that base); the
 *                 runtime layer made from the bundle, the packed env copied out of it (checked against the
 *                 manifest), the links layer made, then pushed;
 *   ours, cached: a dockerize of a version dockerized before (its layers are in the work dir): push only;
 *   ours, fresh:  the first dockerize in an empty work dir (a new machine): as first, plus the base's manifest,
 *                 config and layers fetched to find its Python;
 *   skopeo:       skopeo copy oci:LAYOUT:TAG docker://REGISTRY/REPO:TAG of the image dockerize wrote;
 *   --legacy:     also the first dockerize of the same env packed in format 1 (bundles built before the packed
 *                 env was an image layer), which gunzips, relocates and gzips it again.
 * Wall-clock medians and their ratio are the result; CPU seconds (ours: this process with its threads, skopeo's
 * from /usr/bin/time) are printed too, for machines shared with other work.
 */

import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { packEnv } from "@swhub/runtime/bundle/packed-env";
import { dockerizeRuntime } from "@swhub/runtime/dockerize/dockerize";
import { pushImage } from "@swhub/runtime/oci/push";
import { createRegistryClient } from "@swhub/runtime/oci/registry";
import { buildPythonBaseImage } from "@swhub/runtime/testing/base-image";
import { startRegistry } from "@swhub/runtime/testing/registry";
import { writeRuntimeVersion } from "@swhub/runtime/testing/runtime-bundles";
import { makeEnv } from "./synthetic-venv";

const exec = promisify(execFile);
const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "200" },
    runs: { type: "string", default: "5" },
    level: { type: "string", default: "6" },
    legacy: { type: "boolean", default: false },
  },
});
const targetMb = Number(values.mb);
const runs = Number(values.runs);
const level = Number(values.level);

const work = mkdtempSync(join(tmpdir(), "swhub-bench-dockerize-"));
try {
  const venv = join(work, "venv");
  const stats = makeEnv(venv, targetMb);
  const archive = join(work, "venv_env.tar.gz");
  const packed = await packEnv(venv, archive);
  console.log(
    `env: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(0)} MB; packed ${(packed.size / 1e6).toFixed(0)} MB`,
  );
  const store = { root: join(work, "store") };
  const runtime = await writeRuntimeVersion(store, {
    name: "bench",
    python: packed.python,
    lock: [],
    packedEnv: packed,
  });
  const legacyArchive = join(work, "venv_env.v1.tar.gz");
  const legacy = values.legacy
    ? await writeRuntimeVersion(store, {
        name: "legacy",
        python: packed.python,
        lock: [],
        packedEnv: (await packEnv(venv, legacyArchive, { format: 1 })).path,
      })
    : undefined;
  const base = await buildPythonBaseImage(join(work, "base"));
  const workDir = join(work, "cache");
  const layout = join(work, "layout");

  /** A fresh registry holding the base; what each timed push goes to. */
  const freshRegistry = async () => {
    const registry = await startRegistry();
    const client = createRegistryClient({ registry: registry.host, insecure: true });
    await pushImage(client, "bench/app", {
      layoutDir: base.layoutDir,
      root: base.descriptor,
      tags: ["base"],
    });
    await client.close();
    return registry;
  };
  const dockerize = async (
    host: string,
    extra: { ociLayout?: string; workDir?: string; runtime?: typeof runtime } = {},
  ) =>
    dockerizeRuntime(extra.runtime ?? runtime, {
      tags: [`${host}/bench/app:v1`],
      push: extra.ociLayout === undefined,
      ...(extra.ociLayout ? { ociLayout: extra.ociLayout } : {}),
      workDir: extra.workDir ?? workDir,
      base: { override: `${host}/bench/app:base` },
      registries: { insecure: [host] },
      env: { compressionLevel: level },
    });

  // The layout skopeo pushes: the same image, written once, untimed.
  const setup = await freshRegistry();
  const written = await dockerize(setup.host, { ociLayout: layout });
  await setup.stop();
  const sizes = written.layers.map((l) => `${l.kind} ${(l.size / 1e6).toFixed(1)} MB`).join(", ");
  console.log(`image ${written.digest.slice(0, 19)}: ${sizes} (gzip level ${level})`);

  // legacy before first: both empty the layer cache, and first then leaves the work dir as cached needs it.
  const kinds = ["cached", "skopeo", ...(legacy ? (["legacy"] as const) : []), "first", "fresh"] as const;
  type Kind = (typeof kinds)[number];
  const timings: Record<Kind, number[]> = { cached: [], skopeo: [], first: [], fresh: [], legacy: [] };
  // CPU seconds too: wall time on a shared machine says as much about the neighbours as about us.
  const cpu: Record<Kind, number[]> = { cached: [], skopeo: [], first: [], fresh: [], legacy: [] };
  for (let run = 0; run < runs; run++) {
    for (const who of kinds) {
      const registry = await freshRegistry();
      const fresh = who === "fresh" ? join(work, `fresh-${run}`) : undefined;
      try {
        // Forget this version: its layer cache entries and its layers' blobs (the base's stay).
        if (who === "first" || who === "legacy")
          rmSync(join(workDir, "layers"), { recursive: true, force: true });
        if (who === "first") {
          for (const layer of written.layers) {
            rmSync(join(workDir, "blobs", "sha256", layer.digest.slice(7)), { force: true });
          }
        }
        execFileSync("sync");
        const seeded = registry.requests().length;
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        if (who === "skopeo") {
          const { stderr } = await exec("/usr/bin/time", [
            "-f",
            "cpu %U %S",
            "skopeo",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            `oci:${layout}:v1`,
            `docker://${registry.host}/bench/app:v1`,
          ]);
          const [, user, system] = /cpu ([\d.]+) ([\d.]+)/.exec(stderr) ?? [];
          cpu.skopeo.push((Number(user) + Number(system)) * 1000);
        } else {
          const result = await dockerize(registry.host, {
            ...(fresh ? { workDir: fresh } : {}),
            ...(who === "legacy" && legacy ? { runtime: legacy } : {}),
          });
          if (who !== "legacy") {
            // The config names the base by its registry's address, so compare the layers.
            const layers = (r: typeof result) => r.layers.map((l) => l.digest).join();
            if (layers(result) !== layers(written))
              throw new Error("dockerize made other layers than the layout's");
            if (result.layers.some((l) => l.cached !== (who === "cached")))
              throw new Error(`${who}: unexpected cache use`);
          }
        }
        timings[who].push(performance.now() - started);
        if (who !== "skopeo") {
          const used = process.cpuUsage(cpuBefore);
          cpu[who].push((used.user + used.system) / 1000);
        }
        const uploads = registry
          .requests()
          .slice(seeded)
          .filter((r) => r.method === "PUT" && r.uri.includes("/blobs/uploads/"));
        const expected = who === "legacy" ? 3 : written.layers.length + 1;
        if (uploads.length !== expected) {
          throw new Error(`${who} uploaded ${uploads.length} blobs, expected ${expected}`);
        }
      } finally {
        await registry.stop();
        if (fresh) rmSync(fresh, { recursive: true, force: true });
      }
    }
    const last = (xs: number[]) => xs.at(-1)?.toFixed(0) ?? "-";
    console.log(
      `run ${run + 1}: first ${last(timings.first)} ms, cached ${last(timings.cached)} ms, fresh ${last(timings.fresh)} ms, skopeo ${last(timings.skopeo)} ms${legacy ? `, legacy first ${last(timings.legacy)} ms` : ""}`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [first, cached, skopeo] = [median(timings.first), median(timings.cached), median(timings.skopeo)];
  const freshMs = median(timings.fresh);
  console.log(`median dockerize, first:         ${first.toFixed(0)} ms`);
  console.log(`median dockerize, layers cached: ${cached.toFixed(0)} ms`);
  console.log(`median dockerize, empty work dir: ${freshMs.toFixed(0)} ms`);
  console.log(`median skopeo copy:              ${skopeo.toFixed(0)} ms`);
  console.log(`ratio first/skopeo:  ${(first / skopeo).toFixed(2)}x (target <= 1.30x)`);
  console.log(`ratio cached/skopeo: ${(cached / skopeo).toFixed(2)}x (target <= 1.30x)`);
  console.log(`ratio fresh/skopeo:  ${(freshMs / skopeo).toFixed(2)}x`);
  if (legacy) {
    const old = median(timings.legacy);
    console.log(
      `median dockerize, first, format 1 packed env: ${old.toFixed(0)} ms (${(old / skopeo).toFixed(2)}x)`,
    );
  }
  const cpuOf = (xs: number[]) => `${(median(xs) / 1000).toFixed(2)} s`;
  console.log(
    `median CPU: first ${cpuOf(cpu.first)}, cached ${cpuOf(cpu.cached)}, fresh ${cpuOf(cpu.fresh)}, skopeo ${cpuOf(cpu.skopeo)}${legacy ? `, legacy ${cpuOf(cpu.legacy)}` : ""}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
