import { copyFile, link, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { ProgressSink } from "@swhub/shared/progress";
import { writeDockerArchive } from "../oci/docker-archive";
import { blobPath, hasLayoutBlob, initLayout, readBlob, tagLayoutImages } from "../oci/layout";
import type { BlobOrigin } from "../oci/push";
import { pushImage } from "../oci/push";
import { formatReference, parseReference } from "../oci/reference";
import { type Descriptor, indexSchema, isIndexMediaType, manifestSchema, type Platform } from "../oci/types";
import type { ClientPool } from "./registries";

/** One repository to push to, with the tags it gets. */
export interface PushTarget {
  registry: string;
  repository: string;
  tags: string[];
}

/** Tags grouped by registry and repository, in the order they were given. */
export function pushTargets(tags: readonly string[]): PushTarget[] {
  const targets: PushTarget[] = [];
  for (const text of tags) {
    const ref = parseReference(text);
    let target = targets.find((t) => t.registry === ref.registry && t.repository === ref.repository);
    if (!target) {
      target = { registry: ref.registry, repository: ref.repository, tags: [] };
      targets.push(target);
    }
    target.tags.push(ref.tag ?? "latest");
  }
  return targets;
}

/**
 * Asks each target repository about the first tag before anything is built, so a wrong password, a registry
 * that does not answer or a repository the account may not read fails in seconds, not after the layers.
 */
export async function checkPushTargets(pool: ClientPool, tags: readonly string[]): Promise<void> {
  for (const target of pushTargets(tags)) {
    const client = await pool.get(target.registry);
    await client.headManifest(target.repository, target.tags[0]!);
  }
}

export interface PushedImage {
  /** `registry/repository:tag` for each tag. */
  references: string[];
  digest: string;
  uploaded: number;
  mounted: number;
  existing: number;
}

/** Pushes the image to every repository its tags name; later ones mount blobs from the first on one registry. */
export async function pushToTargets(
  pool: ClientPool,
  layoutDir: string,
  root: Descriptor,
  tags: readonly string[],
  baseOrigins: BlobOrigin[],
  progress: ProgressSink,
): Promise<PushedImage[]> {
  const pushed: PushedImage[] = [];
  const origins = [...baseOrigins];
  for (const target of pushTargets(tags)) {
    const client = await pool.get(target.registry);
    const result = await pushImage(client, target.repository, {
      layoutDir,
      root,
      tags: target.tags,
      origins,
      progress,
    });
    origins.push({ client, repository: target.repository });
    pushed.push({
      references: target.tags.map((tag) => formatReference({ ...target, tag })),
      digest: result.digest,
      uploaded: result.uploaded.length,
      mounted: result.mounted.length,
      existing: result.existing.length,
    });
  }
  return pushed;
}

/** Every blob an image or index needs, root last. */
export async function blobsOf(layoutDir: string, root: Descriptor): Promise<string[]> {
  const manifests = isIndexMediaType(root.mediaType)
    ? indexSchema.parse(JSON.parse((await readBlob(layoutDir, root.digest)).toString("utf8"))).manifests
    : [root];
  const digests = new Set<string>();
  for (const descriptor of manifests) {
    const manifest = manifestSchema.parse(
      JSON.parse((await readBlob(layoutDir, descriptor.digest)).toString("utf8")),
    );
    for (const layer of manifest.layers) digests.add(layer.digest);
    digests.add(manifest.config.digest);
    digests.add(descriptor.digest);
  }
  digests.add(root.digest);
  return [...digests];
}

/**
 * Writes the image into an OCI layout directory (created if needed; other images in it stay), named by the
 * tag part of each reference, with the full reference as `io.containerd.image.name` as containerd expects.
 * Blobs are hard-linked from the work layout when they share a file system.
 */
export async function writeOciLayout(
  workDir: string,
  outDir: string,
  root: Descriptor,
  tags: readonly string[],
): Promise<void> {
  await initLayout(outDir);
  for (const digest of await blobsOf(workDir, root)) {
    if (await hasLayoutBlob(outDir, digest)) continue;
    const to = blobPath(outDir, digest);
    await mkdir(dirname(to), { recursive: true });
    await link(blobPath(workDir, digest), to).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return;
      await copyFile(blobPath(workDir, digest), to);
    });
  }
  const seen = new Set<string>();
  const images = [];
  for (const text of tags) {
    const tag = parseReference(text).tag ?? "latest";
    if (seen.has(tag)) continue;
    seen.add(tag);
    images.push({ descriptor: { ...root, annotations: { "io.containerd.image.name": text } }, tag });
  }
  await tagLayoutImages(outDir, images);
}

export async function writeArchive(
  workDir: string,
  file: string,
  root: Descriptor,
  tags: readonly string[],
  platform: Platform,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeDockerArchive(workDir, file, { root, repoTags: [...tags], platform });
}
