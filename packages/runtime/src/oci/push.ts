import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { AppError, invalidInput } from "@swhub/shared/errors";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import { blobPath, hasLayoutBlob, readBlob } from "./layout";
import { forEachLimited } from "./limit";
import { isValidTag } from "./reference";
import type { RegistryClient, UploadOptions } from "./registry";
import { type Descriptor, indexSchema, isIndexMediaType, manifestSchema } from "./types";

/** A repository where blobs missing from the layout can be found (the base image's). */
export interface BlobOrigin {
  client: RegistryClient;
  repository: string;
}

export interface PushOptions {
  layoutDir: string;
  /** The manifest or index to push, as returned by `buildImage`/`buildIndex` or found in the layout. */
  root: Descriptor;
  /** Tags to point at the root. Without tags the image is pushed by digest only. */
  tags?: string[];
  /** Where blobs not in the layout come from: mounted on the same registry, copied from another. */
  origins?: BlobOrigin[];
  /** Parallel blob uploads. Default 4. */
  concurrency?: number;
  upload?: UploadOptions;
  progress?: ProgressSink;
}

export interface PushResult {
  /** Digest of the root manifest or index. */
  digest: string;
  uploaded: string[];
  mounted: string[];
  /** Blobs the repository had already. */
  existing: string[];
}

/**
 * Pushes an image or index from a layout: blobs the repository lacks (HEAD first), then configs, then
 * manifests, then the index, then tags. Pushing the same image again sends no blob.
 */
export async function pushImage(
  client: RegistryClient,
  repository: string,
  options: PushOptions,
): Promise<PushResult> {
  const { layoutDir } = options;
  const tags = options.tags ?? [];
  for (const tag of tags) if (!isValidTag(tag)) throw invalidInput(`"${tag}" is not a valid tag`);
  const progress = options.progress ?? silentProgress;
  const result: PushResult = { digest: options.root.digest, uploaded: [], mounted: [], existing: [] };

  const rootBytes = await readBlob(layoutDir, options.root.digest);
  const manifests: { descriptor: Descriptor; bytes: Buffer }[] = [];
  const isIndex = isIndexMediaType(options.root.mediaType);
  if (isIndex) {
    const index = indexSchema.parse(JSON.parse(rootBytes.toString("utf8")));
    for (const child of index.manifests)
      manifests.push({ descriptor: child, bytes: await readBlob(layoutDir, child.digest) });
  } else {
    manifests.push({ descriptor: options.root, bytes: rootBytes });
  }

  const layers = new Map<string, Descriptor>();
  const configs = new Map<string, Descriptor>();
  for (const { bytes } of manifests) {
    const manifest = manifestSchema.parse(JSON.parse(bytes.toString("utf8")));
    for (const layer of manifest.layers) layers.set(layer.digest, layer);
    configs.set(manifest.config.digest, manifest.config);
  }

  const total = [...layers.values(), ...configs.values()].reduce((sum, d) => sum + d.size, 0);
  progress.phase("push", total);
  let done = 0;
  const pushBlob = async (descriptor: Descriptor) => {
    const how = await sendBlob(client, repository, descriptor, options, (bytes) =>
      progress.update(done + bytes, total),
    );
    done += descriptor.size;
    progress.update(done, total);
    result[how].push(descriptor.digest);
  };
  const concurrency = options.concurrency ?? 4;
  await forEachLimited([...layers.values()], concurrency, pushBlob);
  await forEachLimited([...configs.values()], concurrency, pushBlob);

  if (isIndex) {
    for (const { descriptor, bytes } of manifests) {
      if (await client.headManifest(repository, descriptor.digest)) continue;
      await client.putManifest(repository, descriptor.digest, bytes, descriptor.mediaType);
    }
  }
  const references = tags.length > 0 ? tags : [options.root.digest];
  for (const reference of references) {
    await client.putManifest(repository, reference, rootBytes, options.root.mediaType);
    progress.log(`pushed ${client.registry}/${repository}:${reference} (${options.root.digest})`, "engine");
  }
  return result;
}

async function sendBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  options: PushOptions,
  onProgress: (bytes: number) => void,
): Promise<"uploaded" | "mounted" | "existing"> {
  const { digest } = descriptor;
  if (await client.hasBlob(repository, digest)) return "existing";
  const origins = options.origins ?? [];
  for (const origin of origins) {
    if (origin.client.registry !== client.registry || origin.repository === repository) continue;
    if (await client.mountBlob(repository, digest, origin.repository)) return "mounted";
  }

  if (!(await hasLayoutBlob(options.layoutDir, digest))) {
    // Not here and not mountable: copy it through the layout from an origin on another registry.
    const origin = origins.find((o) => o.client.registry !== client.registry) ?? origins[0];
    if (!origin) {
      throw new AppError("internal", `blob ${digest} is not in ${options.layoutDir} and no origin was given`);
    }
    await origin.client.downloadBlob(origin.repository, descriptor, blobPath(options.layoutDir, digest));
  }
  const path = blobPath(options.layoutDir, digest);
  await client.uploadBlob(
    repository,
    {
      digest,
      size: descriptor.size,
      open: (start, end) =>
        end > start
          ? createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 })
          : Readable.from([]),
    },
    { ...options.upload, onProgress },
  );
  return "uploaded";
}
