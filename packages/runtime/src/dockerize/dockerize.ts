import { invalidInput } from "@swhub/shared/errors";
import { silentProgress } from "@swhub/shared/progress";
import { type BuiltImage, buildImage, buildIndex } from "../oci/image";
import { initLayout } from "../oci/layout";
import type { PulledImage } from "../oci/pull";
import { type Descriptor, formatPlatform } from "../oci/types";
import { findBasePython, pullBase, resolveBase } from "./base";
import type { BasePython } from "./base-python";
import { runtimeImageSettings, runtimeLabels } from "./image-config";
import { type BuiltLayer, createLayerBuilder, type EnvSource } from "./layers";
import { type DockerizeOptions, resolveOutputs } from "./options";
import { checkPushTargets, type PushedImage, pushToTargets, writeArchive, writeOciLayout } from "./outputs";
import { imagePypiEnv, indexArgsFor } from "./pip-options";
import { checkRuntimeArch, chooseBaseImage, imageTags, parseTargetPlatforms } from "./plan";
import { createClientPool } from "./registries";
import { type DockerizeSource, readRuntime } from "./runtime-source";
import { prepareSnapshot } from "./snapshot";

export type { DockerizeOptions } from "./options";
export type { DockerizeSource } from "./runtime-source";

export interface DockerizedLayer {
  /** `env-config`: the links and pyvenv.cfg that tie a prebuilt env layer to the base's interpreter. */
  kind: BuiltLayer["kind"];
  /** The platform an env layer was made for; the bundle layer serves all. */
  platform?: string;
  digest: string;
  size: number;
  /** Reused from an earlier dockerize instead of made again. */
  cached: boolean;
  from?: EnvSource;
}

export interface DockerizeResult {
  name: string;
  version: string;
  /** The image's digest: of the index with several platforms, else of the manifest. */
  digest: string;
  mediaType: string;
  platforms: string[];
  tags: string[];
  base: { name: string; digest: string; python: string; pythonVersion: string };
  layers: DockerizedLayer[];
  pushed: PushedImage[];
  ociLayout?: string;
  dockerArchive?: string;
  /** Where the equivalent Dockerfile was written (with a snapshot). */
  dockerfile?: string;
}

/**
 * Builds the OCI image of a runtime version without a Docker daemon, and pushes it or writes it out.
 * Phases, in order, through `options.progress`: prepare, base, layers, push (and write, for layouts and archives).
 * Fails with one AppError line naming what to fix.
 */
export async function dockerizeRuntime(
  source: DockerizeSource,
  options: DockerizeOptions = {},
): Promise<DockerizeResult> {
  const progress = options.progress ?? silentProgress;
  const signal = options.signal;
  progress.phase("prepare");
  const runtime = await readRuntime(source);
  const tags = imageTags(options.tags ?? [], runtime.manifest, runtime.version, {
    configuredImage: options.configuredImage,
  });
  const platforms = parseTargetPlatforms(options.platforms ?? []);
  for (const platform of platforms) checkRuntimeArch(runtime.manifest, runtime.name, platform);
  const wanted = runtime.python ?? missingPython(runtime.name);
  const outputs = resolveOutputs(source, options, platforms);
  const baseChoice = chooseBaseImage(runtime.manifest, options.base);
  const pypiEnv = imagePypiEnv(runtime.manifest, options.pypi);
  const { snapshotDir } = source;
  const dockerfile = snapshotDir
    ? await prepareSnapshot({ ...source, snapshotDir }, runtime, baseChoice.reference, pypiEnv)
    : undefined;
  await initLayout(outputs.workDir);
  signal?.throwIfAborted();

  const pool = createClientPool(options.registries, signal);
  const builder = createLayerBuilder(
    runtime,
    source.bundlePath,
    outputs.workDir,
    indexArgsFor(runtime.manifest, options.pypi),
    options.env ?? {},
    progress,
    signal,
  );
  try {
    progress.phase("base", platforms.length, "items");
    if (outputs.push) await checkPushTargets(pool, tags);
    const base = await resolveBase(pool, baseChoice.reference);
    const standalone = outputs.ociLayout !== undefined || outputs.dockerArchive !== undefined;
    const bases: { pulled: PulledImage; python: BasePython }[] = [];
    for (const platform of platforms) {
      const pulled = await pullBase(pool, base, platform, outputs.workDir, standalone ? "all" : "none");
      const python = await findBasePython(pulled, base.name, wanted, outputs.workDir, options.basePython);
      bases.push({ pulled, python });
      progress.update(bases.length, platforms.length);
      signal?.throwIfAborted();
    }

    progress.phase("layers");
    const bundleLayer = await builder.bundleLayer();
    const layers: DockerizedLayer[] = [summary(bundleLayer)];
    const images: BuiltImage[] = [];
    for (const { pulled, python } of bases) {
      const envLayers = await builder.envLayers(pulled.platform, python);
      for (const envLayer of envLayers) {
        layers.push({ ...summary(envLayer), platform: formatPlatform(pulled.platform) });
      }
      images.push(
        await buildImage(outputs.workDir, {
          base: pulled,
          layers: [bundleLayer, ...envLayers],
          settings: runtimeImageSettings(pulled.config, {
            name: runtime.name,
            version: runtime.version,
            python,
            starwhaleVersion: runtime.starwhaleVersion,
            pypi: pypiEnv,
            base: { name: base.name, digest: pulled.descriptor.digest },
          }),
        }),
      );
      signal?.throwIfAborted();
    }
    const root: Descriptor =
      images.length === 1
        ? images[0]!.descriptor
        : await buildIndex(outputs.workDir, images, runtimeLabels(runtime.name, runtime.version));

    let pushed: PushedImage[] = [];
    if (outputs.push) {
      const origins = bases.map(({ pulled }) => pulled.source);
      pushed = await pushToTargets(pool, outputs.workDir, root, tags, origins, progress);
    }
    if (outputs.ociLayout || outputs.dockerArchive) progress.phase("write");
    if (outputs.ociLayout) await writeOciLayout(outputs.workDir, outputs.ociLayout, root, tags);
    if (outputs.dockerArchive) {
      await writeArchive(outputs.workDir, outputs.dockerArchive, root, tags, bases[0]!.pulled.platform);
    }
    return {
      name: runtime.name,
      version: runtime.version,
      digest: root.digest,
      mediaType: root.mediaType,
      platforms: bases.map(({ pulled }) => formatPlatform(pulled.platform)),
      tags,
      base: {
        name: base.name,
        digest: base.digest,
        python: bases[0]!.python.path,
        pythonVersion: bases[0]!.python.version,
      },
      layers,
      pushed,
      ...(outputs.ociLayout ? { ociLayout: outputs.ociLayout } : {}),
      ...(outputs.dockerArchive ? { dockerArchive: outputs.dockerArchive } : {}),
      ...(dockerfile ? { dockerfile } : {}),
    };
  } finally {
    await builder.close();
    await pool.close();
  }
}

function summary(built: BuiltLayer): DockerizedLayer {
  return {
    kind: built.kind,
    digest: built.layer.descriptor.digest,
    size: built.layer.descriptor.size,
    cached: built.cached,
    ...(built.from ? { from: built.from } : {}),
  };
}

function missingPython(name: string): never {
  throw invalidInput(
    `runtime ${name} does not say which Python it needs (environment.python in its manifest)`,
    "rebuild it with environment.python set in runtime.yaml",
  );
}
