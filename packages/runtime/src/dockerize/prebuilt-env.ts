import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { invalidInput } from "@swhub/shared/errors";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { imageEnvPrefix, type PackedEnvMeta, packedEnvPath, readPackedEnvMeta } from "../bundle/packed-env";
import { memberPath } from "../bundle/read";
import { parseTarFile } from "../bundle/tar-read";
import { createLayer, type Layer } from "../oci/layer";
import { blobPath, hasLayoutBlob, writeBlobStream } from "../oci/layout";
import { formatPlatform, mediaTypes, type Platform } from "../oci/types";
import type { BasePython } from "./base-python";
import { venvCompletion } from "./venv-layout";

/*
 * The fast path for runtimes built with `--pack-env`: their packed environment is already an image layer (format
 * 2, recorded in the manifest as `packed_env_layer`), so it is copied out of the bundle into the layout as it
 * is: no gunzip, no relocation, no gzip. Only a small layer is made, which ties the venv to the base image's
 * interpreter (links in bin/, pyvenv.cfg, /usr/local/bin/python). Anything that does not fit falls back to pip.
 */

export type PackedEnvLayerRecord = NonNullable<RuntimeManifest["packed_env_layer"]>;

/** Why the recorded layer cannot serve this platform and base, or undefined when it can. */
export function prebuiltEnvUnfit(
  record: PackedEnvLayerRecord,
  platform: Platform,
  python: BasePython,
): string | undefined {
  if (record.path !== packedEnvPath || record.prefix !== imageEnvPrefix) {
    return `the packed environment's layer is for ${record.prefix}, not ${imageEnvPrefix}`;
  }
  if (record.media_type !== mediaTypes.ociLayerGzip)
    return `the packed environment is a ${record.media_type}`;
  if (record.python !== python.version) {
    return `the packed environment is for Python ${record.python}, the image has ${python.version}`;
  }
  const foreign = record.architectures.filter((arch) => arch !== platform.architecture);
  if (foreign.length > 0) {
    return `the packed environment holds ${foreign.join(", ")} binaries, not ${formatPlatform(platform)}`;
  }
  return undefined;
}

/**
 * The recorded layer in the layout at `workDir`: copied from the bundle (checked against the recorded digest
 * and size on the way) unless an earlier dockerize left it there.
 */
export async function prebuiltEnvLayer(
  bundlePath: string,
  record: PackedEnvLayerRecord,
  workDir: string,
  onProgress?: (bytes: number) => void,
): Promise<{ layer: Layer; cached: boolean }> {
  const layer: Layer = {
    descriptor: { mediaType: mediaTypes.ociLayerGzip, digest: record.digest, size: record.size },
    diffId: record.diff_id,
  };
  if (await hasLayoutBlob(workDir, record.digest)) return { layer, cached: true };
  const member = await locateMember(bundlePath, record.path);
  const mismatch = (what: string) =>
    invalidInput(
      `${bundlePath}: ${record.path} is not the layer its manifest records (${what})`,
      "the bundle may be damaged; build or copy the runtime again",
    );
  if (member?.size !== record.size) throw mismatch(member ? `${member.size} bytes` : "missing");
  const range = { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1 << 20 };
  // Read only as the blob is written (a "data" listener would start the flow before anyone listens).
  async function* counted() {
    let copied = 0;
    for await (const chunk of createReadStream(bundlePath, range)) {
      copied += (chunk as Buffer).length;
      onProgress?.(copied);
      yield chunk as Buffer;
    }
  }
  const written = await writeBlobStream(workDir, Readable.from(counted()));
  if (written.digest !== record.digest) {
    await rm(blobPath(workDir, written.digest), { force: true });
    throw mismatch(written.digest);
  }
  return { layer, cached: false };
}

/** The layer's metadata (format 2), read from its first blocks in the layout. */
export async function prebuiltEnvMeta(
  workDir: string,
  record: PackedEnvLayerRecord,
): Promise<Extract<PackedEnvMeta, { format: 2 }>> {
  const meta = await readPackedEnvMeta(blobPath(workDir, record.digest));
  if (meta.format !== 2 || `/${meta.root}` !== record.prefix) {
    throw invalidInput(
      `${record.path} is not an image-ready packed environment, though the manifest says so`,
    );
  }
  return meta;
}

export interface EnvConfigOptions {
  python: BasePython;
  prompt: string;
  compressionLevel?: number;
}

/** The small layer on top of the packed env: what depends on the base image's interpreter. */
export async function envConfigLayer(
  workDir: string,
  meta: Extract<PackedEnvMeta, { format: 2 }>,
  options: EnvConfigOptions,
): Promise<Layer> {
  const present = new Set(meta.has.map((path) => `${imageEnvPrefix}/${path}`));
  const entries = venvCompletion({
    python: options.python,
    packedCfg: Buffer.from(meta.pyvenvCfg),
    prompt: options.prompt,
    has: (path) => present.has(path),
  });
  return createLayer(workDir, {
    from: { entries },
    ...(options.compressionLevel ? { compressionLevel: options.compressionLevel } : {}),
  });
}

/** Where a member's data sits in a plain tar; the bundle's packed env comes early (`export/` sorts first). */
async function locateMember(
  archive: string,
  path: string,
): Promise<{ offset: number; size: number } | undefined> {
  let found: { offset: number; size: number } | undefined;
  await parseTarFile(
    archive,
    (entry) => {
      if (memberPath(entry.path) !== path) return undefined;
      found = { offset: entry.offset, size: entry.size };
      return "stop";
    },
    { gzip: false },
  );
  return found;
}
