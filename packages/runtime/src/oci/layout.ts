import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError, invalidInput, notFound } from "@swhub/shared/errors";
import { digestHex, sha256Digest } from "./digest";
import { type Descriptor, type ImageIndex, indexSchema, mediaTypes } from "./types";

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`), which is also our working
 * blob store while building: layers, configs and manifests land here by digest, and `index.json` names
 * what to keep. skopeo (`oci:DIR:TAG`) and umoci (`--image DIR:TAG`) read it.
 */
export const refNameAnnotation = "org.opencontainers.image.ref.name";

export async function initLayout(dir: string): Promise<void> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  const marker = join(dir, "oci-layout");
  if (!(await exists(marker))) await writeAtomic(marker, JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  if (!(await exists(join(dir, "index.json")))) await writeIndex(dir, []);
}

export function blobPath(dir: string, digest: string): string {
  return join(dir, "blobs", "sha256", digestHex(digest));
}

/**
 * Whether the layout has the blob. Finding a blob counts as using it: its modification time is stamped now, so it
 * tells when the blob was last used, which is what `pruneLayout` goes by. A layout that can't be written (someone
 * else's, a read-only disk) is only looked at.
 */
export async function hasLayoutBlob(dir: string, digest: string): Promise<boolean> {
  const path = blobPath(dir, digest);
  const now = new Date();
  return utimes(path, now, now).then(
    () => true,
    (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? false : exists(path)),
  );
}

export interface PruneLimits {
  /** The blobs may take this much at most, after pruning... */
  maxBytes: number;
  /** ...but a blob used this recently stays whatever the size (a run in progress may be about to read it). */
  keepUsedWithinMs: number;
}

/**
 * Deletes the least recently used blobs until the rest fit in `maxBytes`, sparing those used within
 * `keepUsedWithinMs`; partial blobs older than that (left by a run that was killed) go whatever the size.
 * `index.json` is not changed: for a cache, a blob that is gone is fetched or made again when next needed.
 */
export async function pruneLayout(
  dir: string,
  limits: PruneLimits,
): Promise<{ removed: number; freedBytes: number; keptBytes: number }> {
  const blobs = join(dir, "blobs", "sha256");
  const names = await readdir(blobs).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const files = (
    await Promise.all(
      names.map(async (name) => {
        const info = await stat(join(blobs, name)).catch(() => undefined);
        return info?.isFile() ? { name, size: info.size, usedAt: info.mtimeMs } : undefined;
      }),
    )
  ).filter((file) => file !== undefined);
  const cutoff = Date.now() - limits.keepUsedWithinMs;
  let kept = files.reduce((sum, file) => sum + file.size, 0);
  let removed = 0;
  let freed = 0;
  for (const file of files.sort((a, b) => a.usedAt - b.usedAt)) {
    if (file.usedAt >= cutoff) break;
    const partial = file.name.startsWith(".tmp-") || file.name.endsWith(".tmp");
    if (kept <= limits.maxBytes && !partial) continue;
    await rm(join(blobs, file.name), { force: true });
    kept -= file.size;
    freed += file.size;
    removed++;
  }
  return { removed, freedBytes: freed, keptBytes: kept };
}

/** Stores bytes as a blob (a no-op when it is there already). */
export async function writeBlob(
  dir: string,
  bytes: Buffer | string,
): Promise<{ digest: string; size: number }> {
  const data = Buffer.from(bytes);
  const digest = sha256Digest(data);
  if (!(await hasLayoutBlob(dir, digest))) await writeAtomic(blobPath(dir, digest), data);
  return { digest, size: data.length };
}

/** Stores a stream as a blob, hashing on the way; the file appears under its digest only when complete. */
export async function writeBlobStream(
  dir: string,
  source: Readable,
): Promise<{ digest: string; size: number }> {
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const temp = join(blobs, `.tmp-${randomBytes(8).toString("hex")}`);
  const hash = createHash("sha256");
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(source, count, createWriteStream(temp));
    const digest = `sha256:${hash.digest("hex")}`;
    await rename(temp, blobPath(dir, digest));
    return { digest, size };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function readBlob(dir: string, digest: string): Promise<Buffer> {
  try {
    return await readFile(blobPath(dir, digest));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw notFound(`blob ${digest} is not in the layout ${dir}`);
    throw error;
  }
}

export async function readJsonBlob(dir: string, digest: string): Promise<unknown> {
  return JSON.parse((await readBlob(dir, digest)).toString("utf8"));
}

/** Writes a JSON document as a blob; the exact bytes are what the digest covers. */
export async function writeJsonBlob(dir: string, value: unknown, mediaType: string): Promise<Descriptor> {
  const { digest, size } = await writeBlob(dir, JSON.stringify(value));
  return { mediaType, digest, size };
}

export async function readLayoutIndex(dir: string): Promise<ImageIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, "index.json"), "utf8");
  } catch {
    throw notFound(`${dir} is not an OCI image layout (no index.json)`);
  }
  const parsed = indexSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw invalidInput(`${dir}/index.json is not a valid OCI index`);
  return parsed.data;
}

/**
 * Names images in `index.json`: each descriptor is stored with its tag as `org.opencontainers.image.ref.name`.
 * Entries with the same name are replaced; others are kept.
 */
export async function tagLayoutImages(
  dir: string,
  images: { descriptor: Descriptor; tag?: string }[],
): Promise<void> {
  await initLayout(dir);
  const current = (await readLayoutIndex(dir)).manifests;
  const names = new Set(images.map((i) => i.tag).filter(Boolean));
  const kept = current.filter((d) => {
    const name = d.annotations?.[refNameAnnotation];
    if (name) return !names.has(name);
    return !images.some((i) => !i.tag && i.descriptor.digest === d.digest);
  });
  const added = images.map(({ descriptor, tag }) => {
    const annotations = { ...descriptor.annotations, ...(tag ? { [refNameAnnotation]: tag } : {}) };
    return { ...descriptor, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) };
  });
  await writeIndex(dir, [...kept, ...added]);
}

/** Finds an image in the layout by tag, or the only one when no tag is given. */
export async function findLayoutImage(dir: string, tag?: string): Promise<Descriptor> {
  const { manifests } = await readLayoutIndex(dir);
  const found = tag ? manifests.filter((d) => d.annotations?.[refNameAnnotation] === tag) : manifests;
  if (found.length === 1) return found[0]!;
  const names = manifests.map((d) => d.annotations?.[refNameAnnotation]).filter(Boolean);
  if (found.length === 0) {
    throw notFound(
      tag ? `no image tagged "${tag}" in ${dir}` : `no image in ${dir}`,
      names.length ? `it has: ${names.join(", ")}` : undefined,
    );
  }
  throw invalidInput(`${dir} holds ${found.length} images; name one`, `it has: ${names.join(", ")}`);
}

async function writeIndex(dir: string, manifests: Descriptor[]) {
  const index: ImageIndex = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests };
  await writeAtomic(join(dir, "index.json"), `${JSON.stringify(index, null, 2)}\n`);
}

export async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new AppError("internal", `cannot write ${path}: ${(error as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function blobSize(dir: string, digest: string): Promise<number> {
  return (await stat(blobPath(dir, digest))).size;
}
