import { createReadStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isAppError, notFound } from "@swhub/shared/errors";
import { z } from "zod";
import { blobPath, hasLayoutBlob, writeAtomic } from "../oci/layout";
import { type PulledImage, pullImage } from "../oci/pull";
import { type ImageReference, parseReference } from "../oci/reference";
import { formatPlatform, type Platform } from "../oci/types";
import {
  type BaseFilesystemFacts,
  type BasePython,
  pythonsFromConfig,
  scanBaseFilesystem,
  selectPython,
} from "./base-python";
import type { ClientPool } from "./registries";

/** The base image pinned by digest: what was asked for, and what it resolved to. */
export interface ResolvedBase {
  /** As chosen (a tag, usually). */
  name: string;
  /** The same image by digest (of the index, for multi-platform bases). */
  reference: ImageReference & { digest: string };
  digest: string;
}

/** Resolves a tag to the digest it has now, so every platform is pulled from the same image. */
export async function resolveBase(pool: ClientPool, name: string): Promise<ResolvedBase> {
  const ref = parseReference(name);
  if (ref.digest) return { name, reference: { ...ref, digest: ref.digest }, digest: ref.digest };
  const client = await pool.get(ref.registry);
  const tag = ref.tag ?? "latest";
  const found = await client.headManifest(ref.repository, tag);
  if (!found) {
    throw notFound(
      `base image ${name} not found: ${ref.registry}/${ref.repository} has no tag ${tag}`,
      "check the name, or choose the base with SW_DOCKERIZE_BASE_IMAGE or environment.docker.image",
    );
  }
  return { name, reference: { ...ref, digest: found.digest }, digest: found.digest };
}

export async function pullBase(
  pool: ClientPool,
  base: ResolvedBase,
  platform: Platform,
  layoutDir: string,
  layers: "all" | "none",
): Promise<PulledImage> {
  const client = await pool.get(base.reference.registry);
  try {
    return await pullImage(client, base.reference, { layoutDir, platform, layers });
  } catch (error) {
    // Named by digest inside; the user knows the base by the name they chose.
    if (isAppError(error) && error.code === "not_found" && / image for /.test(error.message)) {
      const has = error.hint ?? /is an image for (\S+),/.exec(error.message)?.[1];
      throw notFound(
        `the base image ${base.name} has no image for ${formatPlatform(platform)}`,
        has
          ? `${has.startsWith("it has") ? has : `it has: ${has}`}; choose a multi-platform base`
          : undefined,
      );
    }
    throw error;
  }
}

const factsSchema = z.object({
  pythons: z.array(z.object({ version: z.string(), path: z.string() })),
  shell: z.boolean(),
});

/**
 * The base's interpreter for Python `wanted` (X.Y). Reading the layers happens once per base image: the answer
 * is kept in the work dir by manifest digest.
 */
export async function findBasePython(
  pulled: PulledImage,
  name: string,
  wanted: string,
  workDir: string,
  setting?: string,
): Promise<BasePython> {
  const fromConfig = pythonsFromConfig(pulled.config, setting);
  if (fromConfig) return selectPython(fromConfig.facts, fromConfig.via, wanted, name);
  const cache = join(workDir, "bases", `${pulled.descriptor.digest.replace(":", "-")}.json`);
  let facts: BaseFilesystemFacts | undefined;
  const cached = await readFile(cache, "utf8").catch(() => undefined);
  if (cached) {
    const parsed = factsSchema.safeParse(safeJson(cached));
    if (parsed.success) facts = parsed.data;
  }
  if (!facts) {
    facts = await scanBaseFilesystem(pulled.layers, async (layer) =>
      (await hasLayoutBlob(workDir, layer.digest))
        ? createReadStream(blobPath(workDir, layer.digest), { highWaterMark: 1 << 20 })
        : pulled.source.client.openBlob(pulled.source.repository, layer),
    );
    await mkdir(join(workDir, "bases"), { recursive: true });
    await writeAtomic(cache, JSON.stringify(facts));
  }
  return selectPython(facts, "filesystem", wanted, name);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
