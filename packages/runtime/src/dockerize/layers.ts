import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
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
import { imageEnvPrefix, imageWorkdir, isNoarch } from "./plan";
import {
  envConfigLayer,
  type PackedEnvLayerRecord,
  prebuiltEnvLayer,
  prebuiltEnvMeta,
  prebuiltEnvUnfit,
} from "./prebuilt-env";
import type { RuntimeFacts } from "./runtime-source";
import { extractMember, PackedEnvUnfit, packedEnvLayer, unpackBundle } from "./stage";
import { layerFromTar } from "./tar-layer";
import { completeVenv } from "./venv-layout";

/*
 * The two layers a runtime adds to its base: the bundle at the work dir, and the restored environment. Each is
 * looked up in the layer cache first. On a miss, the bundle layer and an env from a packed environment are
 * made straight from their archives; an env installed by pip is staged on disk under the work dir first.
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
  /** Cores to compress layers on; default all of this machine's. */
  parallel?: number;
}

export interface BuiltLayer {
  /** `env-config`: what ties a prebuilt env layer to the base's interpreter (links, pyvenv.cfg). */
  kind: "bundle" | "env" | "env-config";
  layer: Layer;
  createdBy: string;
  /**
   * How the environment was made: the packed env pushed as it is (`prebuilt`), relocated from the packed env
   * (`packed`), or installed by pip.
   */
  from?: EnvSource;
  cached: boolean;
}

export type EnvSource = "prebuilt" | "packed" | "pip";

export interface LayerBuilder {
  bundleLayer(): Promise<BuiltLayer>;
  /** The env layer, or (from a prebuilt one) the env layer and its config layer. */
  envLayers(platform: Platform, python: BasePython): Promise<BuiltLayer[]>;
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
  const compression = {
    compressionLevel: settings.compressionLevel ?? 6,
    parallel: settings.parallel ?? availableParallelism(),
  };
  let packedPath: Promise<string> | undefined;
  const report = (bytes: number) => {
    done = bytes;
    progress.update(done);
  };
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
  /** Compresses a directory staged on disk into a layer; progress counts uncompressed bytes of all layers. */
  const compress = (directory: string) => {
    const start = done;
    return createLayer(workDir, {
      from: { directory },
      ...compression,
      onProgress: (bytes) => report(start + bytes),
    });
  };

  return {
    async bundleLayer() {
      const createdBy = `COPY . ${imageWorkdir}`;
      const key = layerKey({ kind: "bundle", bundle: runtime.bundleStamp });
      const cached = await findCachedLayer(workDir, key);
      if (cached) return { kind: "bundle", layer: cached, createdBy, cached: true };
      const start = done;
      const layer = await layerFromTar(workDir, {
        archive: bundlePath,
        gzip: false,
        prefix: imageWorkdir,
        include: (path) => !isExcluded(path),
        ...compression,
        onProgress: (bytes) => report(start + bytes),
        ...(signal ? { signal } : {}),
      });
      await rememberLayer(workDir, key, layer);
      return { kind: "bundle", layer, createdBy, cached: false };
    },

    async envLayers(platform, python) {
      const record = runtime.manifest.packed_env_layer;
      const unfit = record && prebuiltEnvUnfit(record, platform, python);
      if (record && !unfit) return prebuilt(record, platform, python);
      if (unfit) progress.log(`${unfit}; installing with pip for ${formatPlatform(platform)}`, "engine");
      return [await envLayer(platform, python, { packed: !record })];
    },

    async close() {
      if (scratch) await rm(await scratch, { recursive: true, force: true });
    },
  };

  /** The packed env's own layer as it is, and a small one made for the base's interpreter. */
  async function prebuilt(
    record: PackedEnvLayerRecord,
    platform: Platform,
    python: BasePython,
  ): Promise<BuiltLayer[]> {
    const start = done;
    const env = await prebuiltEnvLayer(bundlePath, record, workDir, (bytes) => report(start + bytes));
    const createdBy = `COPY ${packedEnvPath} ${imageEnvPrefix} (prebuilt at runtime build)`;
    const key = layerKey({
      kind: "env-config",
      bundle: runtime.bundleStamp,
      python,
      platform: formatPlatform(platform),
    });
    let config = await findCachedLayer(workDir, key);
    const configCached = config !== undefined;
    if (!config) {
      const meta = await prebuiltEnvMeta(workDir, record);
      config = await envConfigLayer(workDir, meta, {
        python,
        prompt: runtime.name,
        compressionLevel: compression.compressionLevel,
      });
      await rememberLayer(workDir, key, config);
    }
    return [
      { kind: "env", layer: env.layer, createdBy, from: "prebuilt", cached: env.cached },
      {
        kind: "env-config",
        layer: config,
        createdBy: `RUN python -m venv ${imageEnvPrefix} (links to ${python.path})`,
        cached: configCached,
      },
    ];
  }

  async function envLayer(
    platform: Platform,
    python: BasePython,
    use: { packed: boolean },
  ): Promise<BuiltLayer> {
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

    if (runtime.packedEnv && use.packed) {
      const start = done;
      try {
        const layer = await packedEnvLayer(await packedArchive(), workDir, {
          platform,
          python,
          prompt: runtime.name,
          ...compression,
          onProgress: (bytes) => report(start + bytes),
          ...(signal ? { signal } : {}),
        });
        await rememberLayer(workDir, key, { ...layer, note: "packed" });
        return { kind: "env", layer, createdBy, from: "packed", cached: false };
      } catch (error) {
        if (!(error instanceof PackedEnvUnfit)) throw error;
        done = start;
        progress.log(
          `${(error as Error).message}; installing with pip for ${formatPlatform(platform)}`,
          "engine",
        );
      }
    }
    const stage = await mkdtemp(join(await tmp(), "env-"));
    try {
      await stagePip(await unpacked(), stage, platform, python);
      const layer = await compress(stage);
      await rememberLayer(workDir, key, { ...layer, note: "pip" });
      return { kind: "env", layer, createdBy, from: "pip", cached: false };
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  /** The packed env archive on disk: read out of the bundle once, into the scratch dir. */
  async function packedArchive(): Promise<string> {
    packedPath ??= tmp().then(async (dir) => {
      const path = join(dir, "venv_env.tar.gz");
      await extractMember(bundlePath, packedEnvPath, path);
      return path;
    });
    return packedPath;
  }

  /** Installs the runtime's requirements with pip into `stage`, laid out as the image's env. */
  async function stagePip(dir: string, stage: string, platform: Platform, python: BasePython): Promise<void> {
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
  }
}
