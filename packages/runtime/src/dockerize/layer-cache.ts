import { createHash } from "node:crypto";
import { access, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Layer } from "../oci/layer";
import { blobPath, hasLayoutBlob, type PruneLimits, pruneLayout, writeAtomic } from "../oci/layout";
import { descriptorSchema } from "../oci/types";

/*
 * Layers made earlier from the same inputs, found by a key that names those inputs (the bundle, the base's
 * interpreter, the platform, the settings that shape the environment). A second dockerize of a version skips
 * unpacking, installing and compressing. An entry counts only while its blob is still in the layout.
 */

/** Bump when what a layer holds for the same inputs changes, so old entries stop matching. */
const layerFormat = 1;

const entrySchema = z.object({
  descriptor: descriptorSchema,
  diffId: z.string(),
  /** How the layer was made, for reports. */
  note: z.string().optional(),
});

export type CachedLayer = Layer & { note?: string };

export function layerKey(parts: Record<string, unknown>): string {
  return createHash("sha256")
    .update(JSON.stringify({ layerFormat, ...parts }))
    .digest("hex");
}

function entryPath(workDir: string, key: string): string {
  return join(workDir, "layers", `${key}.json`);
}

/** A layer entry as written by `rememberLayer`, or undefined when it is missing or unreadable. */
async function readEntry(path: string): Promise<CachedLayer | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = entrySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function findCachedLayer(workDir: string, key: string): Promise<CachedLayer | undefined> {
  const entry = await readEntry(entryPath(workDir, key));
  if (!entry || !(await hasLayoutBlob(workDir, entry.descriptor.digest))) return undefined;
  return entry;
}

export async function rememberLayer(workDir: string, key: string, layer: CachedLayer): Promise<void> {
  await mkdir(join(workDir, "layers"), { recursive: true });
  const { descriptor, diffId, note } = layer;
  await writeAtomic(
    entryPath(workDir, key),
    JSON.stringify({ descriptor, diffId, ...(note ? { note } : {}) }),
  );
}

/**
 * Keeps a dockerize work dir that outlives runs (a server worker's) within `limits`: the least recently used
 * blobs go first (`pruneLayout`), then the layer entries whose blob went, and scratch directories that killed
 * runs left behind. Whatever goes is made or fetched again by the next run that needs it.
 */
export async function pruneImageCache(workDir: string, limits: PruneLimits) {
  const pruned = await pruneLayout(workDir, limits);
  const entries = await readdir(join(workDir, "layers")).catch(() => [] as string[]);
  for (const name of entries.filter((n) => n.endsWith(".json"))) {
    const path = join(workDir, "layers", name);
    const entry = await readEntry(path);
    // Looked at, not touched: a check is not a use.
    const present =
      entry !== undefined &&
      (await access(blobPath(workDir, entry.descriptor.digest)).then(
        () => true,
        () => false,
      ));
    if (!present) await rm(path, { force: true });
  }
  const cutoff = Date.now() - limits.keepUsedWithinMs;
  for (const name of await readdir(join(workDir, "tmp")).catch(() => [] as string[])) {
    const path = join(workDir, "tmp", name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
  }
  return pruned;
}
