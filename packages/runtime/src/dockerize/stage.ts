import { mkdir, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { ProgressSink } from "@swhub/shared/progress";
import { metaName, type PackedEnvMeta, readPackedEnvMeta } from "../bundle/packed-env";
import { isInterpreterPath, mayNamePrefix, relocateText } from "../bundle/relocate";
import { unpackTar } from "../bundle/unpack-tar";
import { imageEnvPrefix } from "./plan";
import { stagedEnv } from "./venv-layout";

/*
 * Putting things on disk in the shape the image will have them: the bundle's members, and a packed environment
 * relocated to the image's env prefix. Layers are then made from these directories.
 */

/** Unpacks the bundle (a plain tar) into `dir`, which must exist and be empty. */
export async function unpackBundle(bundlePath: string, dir: string): Promise<void> {
  await unpackTar(bundlePath, dir, {
    guard: {
      prefix: `${bundlePath} is unsafe to extract:`,
      hint: "the bundle may have been tampered with; get it again from a trusted source",
    },
  });
}

export interface StagedPackedEnv {
  meta: PackedEnvMeta;
  /** The packed pyvenv.cfg, for the keys it has beyond what the image's own gets. */
  cfg?: Buffer;
  files: number;
}

/**
 * Unpacks a packed environment (`export/venv_env.tar.gz`) to `stage + imageEnvPrefix`, rewriting the text files
 * that name the old prefix. Interpreter links and pyvenv.cfg are left out: they come from the base image.
 */
export async function stagePackedEnv(
  archive: string,
  stage: string,
  progress: ProgressSink,
): Promise<StagedPackedEnv> {
  const meta = await readPackedEnvMeta(archive);
  const env = stagedEnv(stage);
  await mkdir(env, { recursive: true });
  const result = await unpackTar(archive, env, {
    gzip: true,
    guard: {
      prefix: `${archive} is unsafe to unpack:`,
      hint: "the archive may have been tampered with; pack the environment again",
    },
    skip: (path) => path === metaName || isInterpreterPath(path),
    capture: (path) => path === "pyvenv.cfg",
    rewrite: (path) =>
      mayNamePrefix(path) ? (data) => relocateText(path, data, meta.prefixes, imageEnvPrefix) : undefined,
    onRead: (bytes) => progress.update(bytes),
  });
  const cfg = result.captured.get("pyvenv.cfg");
  return { meta, ...(cfg ? { cfg } : {}), files: result.files };
}

const elfMachines: Record<number, string> = {
  62: "amd64",
  183: "arm64",
  3: "386",
  40: "arm",
  21: "ppc64le",
  22: "s390x",
};

/**
 * The architecture of the first native library found under `dir` (ELF `e_machine`), or undefined for an
 * environment of pure Python. A packed env carries the binaries of the machine it was packed on.
 */
export async function nativeArchitecture(dir: string): Promise<{ arch: string; file: string } | undefined> {
  const header = Buffer.alloc(20);
  const walk = async (at: string): Promise<{ arch: string; file: string } | undefined> => {
    const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        const found = await walk(path);
        if (found) return found;
      } else if (entry.isFile() && /\.so(\.|$)/.test(entry.name)) {
        const handle = await open(path, "r");
        try {
          const { bytesRead } = await handle.read(header, 0, 20, 0);
          if (bytesRead === 20 && header.readUInt32BE(0) === 0x7f454c46) {
            const machine = header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
            return { arch: elfMachines[machine] ?? `machine ${machine}`, file: path };
          }
        } finally {
          await handle.close();
        }
      }
    }
    return undefined;
  };
  return walk(dir);
}
