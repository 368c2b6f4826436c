import { AppError, invalidInput, notFound } from "@swhub/shared/errors";
import type { BaseImage } from "./image";
import { blobPath, hasLayoutBlob, initLayout, readJsonBlob, writeBlob } from "./layout";
import { forEachLimited } from "./limit";
import { formatReference, type ImageReference, manifestReference } from "./reference";
import type { RegistryClient } from "./registry";
import {
  type Descriptor,
  formatPlatform,
  type ImageConfig,
  imageConfigSchema,
  indexSchema,
  isIndexMediaType,
  type Manifest,
  manifestMediaTypes,
  manifestSchema,
  type Platform,
} from "./types";

export interface PullOptions {
  /** Where manifests, configs and (unless `layers: "none"`) layers are stored. */
  layoutDir: string;
  /** Which image of a multi-platform index. Default linux/amd64. */
  platform?: Platform;
  /**
   * "all" downloads every layer (needed to write a docker archive or push elsewhere); "none" keeps only
   * their descriptors, for pushing to the same registry where layers are mounted instead of copied.
   */
  layers?: "all" | "none";
  /** Parallel layer downloads. Default 4. */
  concurrency?: number;
}

/** A pulled image: what `buildImage` needs as a base, and where its blobs live. */
export interface PulledImage extends BaseImage {
  reference: ImageReference;
  /** The platform-specific manifest (not the index). */
  descriptor: Descriptor;
  manifest: Manifest;
  platform: Platform;
  /** Where missing layers can be fetched or mounted from when pushing. */
  source: { client: RegistryClient; repository: string };
}

const defaultPlatform: Platform = { os: "linux", architecture: "amd64" };

/** Pulls a base image by tag or digest, choosing the platform from an index. */
export async function pullImage(
  client: RegistryClient,
  ref: ImageReference,
  options: PullOptions,
): Promise<PulledImage> {
  if (ref.registry !== client.registry) {
    throw invalidInput(`${formatReference(ref)} is not on ${client.registry}`);
  }
  const wanted = options.platform ?? defaultPlatform;
  await initLayout(options.layoutDir);
  let fetched = await client.getManifest(ref.repository, manifestReference(ref));
  const name = formatReference(ref);

  if (isIndexMediaType(fetched.descriptor.mediaType) || isIndexShaped(fetched.json)) {
    const index = indexSchema.safeParse(fetched.json);
    if (!index.success) throw new AppError("internal", `${name}: the index is malformed`);
    const choice = selectPlatform(index.data.manifests, wanted);
    if (!choice) {
      const available = index.data.manifests
        .filter((d) => d.platform && d.platform.architecture !== "unknown")
        .map((d) => formatPlatform(d.platform!));
      throw notFound(
        `${name} has no image for ${formatPlatform(wanted)}`,
        `it has: ${available.length ? available.join(", ") : "no platform-specific images"}`,
      );
    }
    fetched = await client.getManifest(ref.repository, choice.digest);
  }

  const mediaType = fetched.descriptor.mediaType;
  if (mediaType && !manifestMediaTypes.includes(mediaType) && mediaType.includes("v1+")) {
    throw invalidInput(`${name} uses the old schema 1 manifest format, which is not supported`);
  }
  const manifest = manifestSchema.safeParse(fetched.json);
  if (!manifest.success) throw new AppError("internal", `${name}: the manifest is malformed`);
  await writeBlob(options.layoutDir, fetched.bytes);

  const configDescriptor = manifest.data.config;
  const configPath = blobPath(options.layoutDir, configDescriptor.digest);
  if (!(await hasLayoutBlob(options.layoutDir, configDescriptor.digest))) {
    await client.downloadBlob(ref.repository, configDescriptor, configPath);
  }
  const config = imageConfigSchema.safeParse(await readJsonBlob(options.layoutDir, configDescriptor.digest));
  if (!config.success) throw new AppError("internal", `${name}: the image config is malformed`);
  const platform = platformOf(config.data);
  if (platform.os !== wanted.os || platform.architecture !== wanted.architecture) {
    throw notFound(`${name} is an image for ${formatPlatform(platform)}, not ${formatPlatform(wanted)}`);
  }

  if ((options.layers ?? "all") === "all") {
    await forEachLimited(manifest.data.layers, options.concurrency ?? 4, async (layer) => {
      if (await hasLayoutBlob(options.layoutDir, layer.digest)) return;
      await client.downloadBlob(ref.repository, layer, blobPath(options.layoutDir, layer.digest));
    });
  }

  return {
    reference: ref,
    descriptor: { ...fetched.descriptor, platform },
    manifest: manifest.data,
    config: config.data,
    layers: manifest.data.layers,
    platform,
    source: { client, repository: ref.repository },
  };
}

/** Exact variant first, then any variant of the os/architecture (arm64 images often say v8 or nothing). */
function selectPlatform(manifests: Descriptor[], wanted: Platform): Descriptor | undefined {
  const candidates = manifests.filter(
    (d) => d.platform?.os === wanted.os && d.platform.architecture === wanted.architecture,
  );
  return candidates.find((d) => (d.platform?.variant ?? "") === (wanted.variant ?? "")) ?? candidates[0];
}

function platformOf(config: ImageConfig): Platform {
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };
}

function isIndexShaped(json: unknown): boolean {
  return typeof json === "object" && json !== null && "manifests" in json && !("layers" in json);
}
