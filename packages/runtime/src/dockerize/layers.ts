import { access, mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ProgressSink } from "@swhub/shared/progress";
import { packedEnvPath } from "../bundle/packed-env";
import { createLayer, type Layer } from "../oci/layer";
import { formatPlatform, type Platform } from "../oci/types";
import type { BasePython } from "./base-python";
import { findHostPython } from "./host-python";
import { planInstall } from "./install-plan";
import { findCachedLayer, layerKey, rememberLayer } from "./layer-cache";
import { stagePipEnv } from "./pip-env";
import { imageWorkdir, isNoarch } from "./plan";
import type { RuntimeFacts } from "./runtime-source";
import { nativeArchitecture, stagePackedEnv, unpackBundle } from "./stage";
import { completeVenv, stagedEnv } from "./venv-layout";

/*
 * The two layers a runtime adds to its base: the bundle at the work dir, and the restored environment. Each is
 * looked up in the layer cache first; on a miss it is staged on disk under the work dir and compressed.
 */

export interface EnvSettings {
  /** Interpreter to run pip with on this machine; default pythonX.Y, then python3. */
  hostPython?: string;
  /** The environment pip runs in; default this process's. */
  pipEnv?: NodeJS.ProcessEnv;
  /** Newest glibc of the base images, for manylinux wheel tags; default 2.28. */
  glibc?: string;
  /** gzip level of the new layers; default 6. */
  compressionLevel?: number;
}

export interface BuiltLayer {
  kind: "bundle" | "env";
  layer: Layer;
  createdBy: string;
  /** How the environment was made: from the packed env, or by pip. */
  from?: "packed" | "pip";
  cached: boolean;
}

export interface LayerBuilder {
  bundleLayer(): Promise<BuiltLayer>;
  envLayer(platform: Platform, python: BasePython): Promise<BuiltLayer>;
  close(): Promise<void>;
}

/** Paths of the bundle that stay out of the image, as Starwhale's `.dockerignore` does, plus packed envs. */
const excluded = [".git", "export/venv", "export/conda", packedEnvPath, "export/conda_env.tar.gz"];
const isExcluded = (path: string) => excluded.some((e) => path === e || path.startsWith(`${e}/`));

export function createLayerBuilder(
  runtime: RuntimeFacts,
  bundlePath: string,
  workDir: string,
  indexArgs: string[],
  settings: EnvSettings,
  progress: ProgressSink,
  signal?: AbortSignal,
): LayerBuilder {
  let scratch: Promise<string> | undefined;
  let bundleDir: Promise<string> | undefined;
  let done = 0;
  const tmp = () =>
    (scratch ??= mkdir(join(workDir, "tmp"), { recursive: true }).then(() =>
      mkdtemp(join(workDir, "tmp", "dockerize-")),
    ));
  const unpacked = () =>
    (bundleDir ??= tmp().then(async (dir) => {
      const target = join(dir, "bundle");
      await mkdir(target);
      await unpackBundle(bundlePath, target);
      return target;
    }));
  const compress = async (
    directory: string,
    options: { prefix: string; keepFileMtimes?: boolean; exclude?: (p: string) => boolean },
  ) => {
    const start = done;
    const layer = await createLayer(workDir, {
      from: { directory },
      prefix: options.prefix,
      ...(options.exclude ? { exclude: options.exclude } : {}),
      keepFileMtimes: options.keepFileMtimes ?? false,
      compressionLevel: settings.compressionLevel ?? 6,
      onProgress: (bytes) => progress.update(start + bytes),
    });
    return layer;
  };

  return {
    async bundleLayer() {
      const createdBy = `COPY . ${imageWorkdir}`;
      const key = layerKey({ kind: "bundle", bundle: runtime.bundleStamp });
      const cached = await findCachedLayer(workDir, key);
      if (cached) return { kind: "bundle", layer: cached, createdBy, cached: true };
      const layer = await compress(await unpacked(), { prefix: imageWorkdir, exclude: isExcluded });
      done += layer.descriptor.size;
      await rememberLayer(workDir, key, layer);
      return { kind: "bundle", layer, createdBy, cached: false };
    },

    async envLayer(platform, python) {
      const key = layerKey({
        kind: "env",
        bundle: runtime.bundleStamp,
        platform: formatPlatform(platform),
        python,
        indexArgs,
        hostPython: settings.hostPython ?? "",
        glibc: settings.glibc ?? "",
      });
      // The same whatever made it, so a rebuild from the cache gives the same config.
      const createdBy = `RUN swcli runtime restore ${imageWorkdir} (for ${formatPlatform(platform)}, ${python.path})`;
      const cached = await findCachedLayer(workDir, key);
      if (cached) {
        const from = cached.note === "packed" ? "packed" : "pip";
        return { kind: "env", layer: cached, createdBy, from, cached: true };
      }

      const dir = await unpacked();
      const stage = await mkdtemp(join(await tmp(), "env-"));
      try {
        const from = await stageEnv(dir, stage, platform, python);
        const layer = await compress(stage, { prefix: "/", keepFileMtimes: from === "packed" });
        done += layer.descriptor.size;
        await rememberLayer(workDir, key, { ...layer, note: from });
        return { kind: "env", layer, createdBy, from, cached: false };
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
    },

    async close() {
      if (scratch) await rm(await scratch, { recursive: true, force: true });
    },
  };

  /** Stages the env from the packed archive when it fits the platform, else with pip. */
  async function stageEnv(
    dir: string,
    stage: string,
    platform: Platform,
    python: BasePython,
  ): Promise<"packed" | "pip"> {
    const archive = join(dir, packedEnvPath);
    if (runtime.packedEnv && (await exists(archive))) {
      const packed = await stagePackedEnv(archive, stage, progress).catch((error) => {
        // Not one of ours (Starwhale's venv-pack archives are not relocatable this way): install instead.
        progress.log(
          `the packed environment cannot be used (${(error as Error).message}); installing with pip`,
          "engine",
        );
        return undefined;
      });
      const native = packed && (await nativeArchitecture(stagedEnv(stage)));
      if (packed && packed.meta.python !== python.version) {
        progress.log(
          `the packed environment is for Python ${packed.meta.python}, the image has ${python.version}; installing with pip`,
          "engine",
        );
      } else if (packed && native && native.arch !== platform.architecture) {
        progress.log(
          `the packed environment holds ${native.arch} binaries; installing with pip for ${formatPlatform(platform)}`,
          "engine",
        );
      } else if (packed) {
        await completeVenv(stage, {
          python,
          ...(packed.cfg ? { packedCfg: packed.cfg } : {}),
          prompt: runtime.name,
        });
        return "packed";
      }
      await rm(stage, { recursive: true, force: true });
      await mkdir(stage);
    }
    const plan = planInstall(runtime.manifest, dir);
    for (const note of plan.notes) progress.log(note, "engine");
    const host = await findHostPython(python.version, settings.hostPython);
    await stagePipEnv(plan, dir, stage, {
      host,
      python: python.version,
      platform,
      binaryOnly: !isNoarch(runtime.manifest),
      indexArgs,
      ...(settings.pipEnv ? { env: settings.pipEnv } : {}),
      ...(settings.glibc ? { glibc: settings.glibc } : {}),
      progress,
      ...(signal ? { signal } : {}),
    });
    await completeVenv(stage, { python, prompt: runtime.name });
    return "pip";
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
