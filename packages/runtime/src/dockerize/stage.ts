import { closeSync, openSync, writeSync } from "node:fs";
import { elfArchitecture } from "../bundle/file-heads";
import { metaName, readPackedEnvMeta } from "../bundle/packed-env";
import { memberPath } from "../bundle/read";
import { isInterpreterPath, mayNamePrefix, relocateText } from "../bundle/relocate";
import { parseTarFile } from "../bundle/tar-read";
import { unpackTar } from "../bundle/unpack-tar";
import type { Layer } from "../oci/layer";
import type { Platform } from "../oci/types";
import type { BasePython } from "./base-python";
import { imageEnvPrefix } from "./plan";
import { layerFromTar } from "./tar-layer";
import { venvCompletion } from "./venv-layout";

/*
 * The environment layer from a packed environment (`export/venv_env.tar.gz`), straight from the archive:
 * relocated to the image's env prefix, completed for the base image's interpreter, and refused (so that pip
 * makes it instead) when it holds native code (any ELF file) for another machine, or is for another Python.
 */

/** Unpacks the bundle (a plain tar) into `dir`, which must exist and be empty: pip installs from its files. */
export async function unpackBundle(bundlePath: string, dir: string): Promise<void> {
  await unpackTar(bundlePath, dir, {
    guard: {
      prefix: `${bundlePath} is unsafe to extract:`,
      hint: "the bundle may have been tampered with; get it again from a trusted source",
    },
  });
}

/** Copies one member of a (plain) tar to `to`, without unpacking anything else. */
export async function extractMember(archive: string, member: string, to: string): Promise<void> {
  const fd = openSync(to, "w", 0o644);
  let found = false;
  try {
    await parseTarFile(archive, (entry) => {
      if (memberPath(entry.path) !== member) return undefined;
      found = true;
      return {
        data: (chunk) => {
          for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        },
        end: () => "stop",
      };
    });
  } finally {
    closeSync(fd);
  }
  if (!found) throw new PackedEnvUnfit(`${archive} has no ${member}`);
}

/** Why a packed environment cannot serve an image; the caller installs with pip instead. */
export class PackedEnvUnfit extends Error {
  override readonly name = "PackedEnvUnfit";
}

export interface PackedEnvLayerOptions {
  platform: Platform;
  python: BasePython;
  prompt: string;
  compressionLevel?: number;
  parallel?: number;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

export async function packedEnvLayer(
  archive: string,
  layoutDir: string,
  options: PackedEnvLayerOptions,
): Promise<Layer> {
  const meta = await readPackedEnvMeta(archive).catch((error: Error) => {
    // Not one of ours (Starwhale's venv-pack archives are not relocatable this way).
    throw new PackedEnvUnfit(error.message);
  });
  if (meta.format !== 1) {
    // An image-ready layer is used as it is (see envLayer); re-making it only happens without its record.
    throw new PackedEnvUnfit("the packed environment is not recorded in the manifest (packed_env_layer)");
  }
  if (meta.python !== options.python.version) {
    throw new PackedEnvUnfit(
      `the packed environment is for Python ${meta.python}, the image has ${options.python.version}`,
    );
  }
  return layerFromTar(layoutDir, {
    archive,
    gzip: true,
    prefix: imageEnvPrefix,
    include: (path) => path !== metaName && !isInterpreterPath(path),
    capture: (path) => path === "pyvenv.cfg",
    rewrite: (path) =>
      mayNamePrefix(path) ? (data) => relocateText(path, data, meta.prefixes, imageEnvPrefix) : undefined,
    inspect: (path, head) => {
      const arch = elfArchitecture(head);
      if (arch && arch !== options.platform.architecture) {
        throw new PackedEnvUnfit(`the packed environment holds ${arch} binaries (${path})`);
      }
    },
    extra: (captured, written) =>
      venvCompletion({
        python: options.python,
        ...(captured.has("pyvenv.cfg") ? { packedCfg: captured.get("pyvenv.cfg")! } : {}),
        prompt: options.prompt,
        has: (path) => written.has(path),
      }),
    ...(options.compressionLevel ? { compressionLevel: options.compressionLevel } : {}),
    ...(options.parallel ? { parallel: options.parallel } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
