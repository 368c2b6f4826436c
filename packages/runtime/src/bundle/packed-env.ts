import { createHash } from "node:crypto";
import { mkdir, readFile, realpath, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { AppError } from "@swhub/shared/errors";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import { z } from "zod";
import { releaseTemp, renameAtomic, tempSiblingPath, writeFileAtomicWith } from "../fs/atomic";
import type { Sha256Digest } from "../fs/sha256";
import { createEntryGuard } from "./entry-guard";
import { elfArchitecture, pinPycMtime } from "./file-heads";
import { defaultBundleMtime } from "./pack";
import { collect, memberPath } from "./read";
import { isInterpreterPath, mayNamePrefix, parsePyvenvCfg, pythonVersionOf, relocateText } from "./relocate";
import { parseTarFile } from "./tar-read";
import { collectTree, sortMembers, type TarMember, tarChunks } from "./tar-write";
import { unpackTar } from "./unpack-tar";
import { adoptVenvSkeleton, createVenvSkeleton } from "./venv-skeleton";

/*
 * `--pack-env`: a relocatable copy of a venv as `export/venv_env.tar.gz` (the name Starwhale uses with
 * `local_packaged_env: true`), so restore is an unpack instead of a pip install. The interpreter links in bin/
 * point at the base Python outside the venv and are not stored; unpacking takes them (and pyvenv.cfg) from a
 * skeleton made by `pythonX.Y -m venv --without-pip`, and rewrites the text files that name the old prefix.
 *
 * Format 2 (what packEnv writes) is also an image layer, ready for dockerize to push as it is: the venv sits at
 * the image's env prefix (`opt/starwhale.user/runtime/export/venv/…`), already relocated there, sorted,
 * root-owned, every time fixed, and the .pyc headers pinned to that time so they stay valid. Its digest and
 * diff_id go into the manifest (`packed_env_layer`). Format 1 (bundles built before) holds the venv's own paths
 * and times and the old prefix; both unpack.
 */

/** Where a packed environment sits inside a bundle. */
export const packedEnvPath = "export/venv_env.tar.gz";

/** First member of the archive: what unpacking needs before it can start. */
export const metaName = ".swhub-packed-env.json";

/** Where dockerize puts the environment in an image; format 2 archives hold the venv there. */
export const imageEnvPrefix = "/opt/starwhale.user/runtime/export/venv";

const commonMeta = {
  /** The prefix the venv's files name, as every spelling found in it (format 1: as given, resolved, and
   * from bin/activate); format 2: the image's env prefix they were relocated to. */
  prefixes: z.array(z.string()).min(1),
  python: z.string().regex(/^\d+\.\d+$/),
  systemSitePackages: z.boolean(),
  prompt: z.string().optional(),
};
const packedEnvMetaSchema = z.discriminatedUnion("format", [
  z.object({ format: z.literal(1), ...commonMeta }),
  z.object({
    format: z.literal(2),
    ...commonMeta,
    /** The directory of the archive that holds the venv (no leading slash). */
    root: z.string().min(1),
    /** The venv's pyvenv.cfg, so an image can be completed without reading the whole layer. */
    pyvenvCfg: z.string(),
    /** Paths of the venv (relative) that completing it would otherwise add: `bin/activate`, `lib64`. */
    has: z.array(z.string()),
  }),
]);
export type PackedEnvMeta = z.infer<typeof packedEnvMetaSchema>;

/** What the manifest records about a format 2 archive (`packed_env_layer`), for dockerize to use it as a layer. */
export interface PackedEnvLayerRecord {
  digest: Sha256Digest;
  /** sha256 of the uncompressed tar: the image config's diff_id. */
  diffId: Sha256Digest;
  size: number;
  /** Where the archive puts the venv: the image's env prefix. */
  prefix: string;
  python: string;
  /** Machines of the ELF files found in the venv (empty: no native code). */
  architectures: string[];
}

export interface PackEnvOptions {
  progress?: ProgressSink;
  /**
   * gzip level. Default 4, as conda-pack and venv-pack use: on a 200 MB venv it takes about half the CPU time of
   * level 6 (`tar -czf`'s) for a 5% larger archive, and unpacking is as fast either way.
   */
  level?: number;
  /** Write format 1 (the venv's own paths, times and prefix), as bundles built before format 2 hold. */
  format?: 1 | 2;
}

export interface PackedEnv {
  path: string;
  size: number;
  digest: Sha256Digest;
  python: string;
  files: number;
  /** Format 2: what the manifest records, so dockerize can push the archive as an image layer. */
  layer?: PackedEnvLayerRecord;
}

/** The venv's paths that venv completion (in dockerize) would add when missing. */
const completable = ["lib64", "bin/activate"];

/** Pack the venv at `venvPrefix` into a gzipped tar at `outFile`, atomically and reproducibly. */
export async function packEnv(
  venvPrefix: string,
  outFile: string,
  options: PackEnvOptions = {},
): Promise<PackedEnv> {
  const prefix = resolve(venvPrefix);
  const cfgText = await readFile(join(prefix, "pyvenv.cfg"), "utf8").catch(() => {
    throw new AppError("invalid_input", `${prefix} is not a virtualenv: it has no pyvenv.cfg`);
  });
  const cfg = parsePyvenvCfg(cfgText);
  const python = pythonVersionOf(cfg);
  if (!python) throw new AppError("invalid_input", `${prefix}/pyvenv.cfg does not say which Python it uses`);
  const format = options.format ?? 2;
  const prefixes = await prefixSpellings(prefix);
  const common = {
    python,
    systemSitePackages: cfg.get("include-system-site-packages")?.toLowerCase() === "true",
    ...(cfg.has("prompt") ? { prompt: cfg.get("prompt")!.replace(/^(['"])(.*)\1$/, "$2") } : {}),
  };
  const tree = sortMembers(
    await collectTree(prefix, {
      include: (path) => !isInterpreterPath(path) && path !== metaName,
      ...(format === 2 ? { mtime: defaultBundleMtime } : {}),
    }),
  );
  const architectures = new Set<string>();
  let members: TarMember[];
  if (format === 1) {
    const meta: PackedEnvMeta = { format: 1, prefixes, ...common };
    members = [metaMember(metaName, meta), ...tree];
  } else {
    const root = imageEnvPrefix.slice(1);
    const meta: PackedEnvMeta = {
      format: 2,
      prefixes: [imageEnvPrefix],
      ...common,
      root,
      pyvenvCfg: cfgText,
      has: completable.filter((path) => tree.some((m) => m.path === path)),
    };
    const parents = root.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    members = [
      ...parents.map(
        (path): TarMember => ({ path, type: "dir", mode: 0o755, mtime: defaultBundleMtime, size: 0 }),
      ),
      metaMember(`${root}/${metaName}`, meta),
    ];
    for (const member of tree) {
      const inImage = { ...member, path: `${root}/${member.path}` };
      if (member.type === "file" && mayNamePrefix(member.path)) {
        // Relocated now, so the layer works where dockerize puts it; these are a few small text files.
        const content = relocateText(member.path, await readFile(member.source!), prefixes, imageEnvPrefix);
        members.push({ ...inImage, content, size: content.length, head: noteArchitecture });
      } else if (member.type === "file") {
        members.push({
          ...inImage,
          head: member.path.endsWith(".pyc")
            ? (data) => pinPycMtime(data, defaultBundleMtime)
            : noteArchitecture,
        });
      } else members.push(inImage);
    }
  }
  function noteArchitecture(head: Buffer): void {
    const arch = elfArchitecture(head);
    if (arch) architectures.add(arch);
  }

  const guard = createEntryGuard({
    prefix: `cannot pack ${prefix}:`,
    hint: "a packed environment must be self-contained; remove links that point outside the venv",
  });
  for (const member of format === 1 ? members : tree) guard.admit(member);
  guard.finish();

  const progress = options.progress ?? silentProgress;
  const total = members.reduce((sum, m) => sum + m.size, 0);
  progress.phase("pack-env", total);
  let done = 0;
  const hash = createHash("sha256");
  const diffHash = createHash("sha256");
  let size = 0;
  await writeFileAtomicWith(
    outFile,
    async (handle) => {
      await pipeline(
        Readable.from(tarChunks(members), { objectMode: false }),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            done += chunk.length;
            diffHash.update(chunk);
            progress.update(Math.min(done, total), total);
            callback(null, chunk);
          },
        }),
        createGzip({ level: options.level ?? 4, chunkSize: 1 << 18 }),
        // Plain writes: a FileHandle write stream with autoClose off keeps the handle from closing (Node 20).
        async (gzipped: AsyncIterable<Buffer>) => {
          for await (const chunk of gzipped) {
            hash.update(chunk);
            size += chunk.length;
            await handle.write(chunk);
          }
        },
      );
    },
    // An intermediate of the snapshot: the bundle packed from it is the durable artifact.
    { durable: false },
  );
  const files = members.filter((m) => m.type === "file").length - 1;
  const digest: Sha256Digest = `sha256:${hash.digest("hex")}`;
  const layer: PackedEnvLayerRecord | undefined =
    format === 2
      ? {
          digest,
          diffId: `sha256:${diffHash.digest("hex")}`,
          size,
          prefix: imageEnvPrefix,
          python,
          architectures: [...architectures].sort(),
        }
      : undefined;
  return { path: outFile, size, digest, python, files, ...(layer ? { layer } : {}) };
}

function metaMember(path: string, meta: PackedEnvMeta): TarMember {
  const content = Buffer.from(`${JSON.stringify(meta)}\n`);
  return { path, type: "file", mode: 0o644, mtime: defaultBundleMtime, size: content.length, content };
}

export interface UnpackEnvOptions {
  /** The interpreter to build the venv with; default `pythonX.Y` from PATH, X.Y being the packed env's. */
  python?: string;
  /** Replace an existing `newPrefix`. */
  force?: boolean;
  progress?: ProgressSink;
}

export interface UnpackedEnv {
  prefix: string;
  python: string;
  interpreter: string;
  files: number;
}

/**
 * Restore a packed environment at `newPrefix` so that it works there: the archive unpacked with prefix paths
 * rewritten, completed with the interpreter links and pyvenv.cfg of a fresh venv from the local Python X.Y, all
 * built in a temporary sibling and renamed into place. Fails clearly when Python X.Y is not installed.
 */
export async function unpackEnv(
  archive: string,
  newPrefix: string,
  options: UnpackEnvOptions = {},
): Promise<UnpackedEnv> {
  const prefix = resolve(newPrefix);
  if (!options.force && (await stat(prefix).catch(() => undefined))) {
    throw new AppError("conflict", `${prefix} already exists`, "remove it, or restore with --force");
  }
  const archiveSize = (await stat(archive).catch(() => undefined))?.size;
  if (archiveSize === undefined)
    throw new AppError("not_found", `packed environment ${archive} does not exist`);
  const meta = await readPackedEnvMeta(archive);
  const interpreter = options.python ?? `python${meta.python}`;
  const progress = options.progress ?? silentProgress;
  progress.phase("unpack-env", archiveSize);

  await mkdir(dirname(prefix), { recursive: true });
  const temp = tempSiblingPath(prefix);
  const skeleton = tempSiblingPath(prefix);
  // The skeleton venv is made while the archive unpacks; if it fails, the unpack stops.
  const abort = new AbortController();
  const venv = createVenvSkeleton(interpreter, meta.python, skeleton, meta);
  venv.catch((error) => abort.abort(error));
  try {
    await mkdir(temp);
    const result = await unpackTar(archive, temp, {
      gzip: true,
      ...(meta.format === 2 ? { root: meta.root } : {}),
      guard: {
        prefix: `${archive} is unsafe to unpack:`,
        hint: "the archive may have been tampered with; pack the environment again",
      },
      skip: (path) => path === metaName || isInterpreterPath(path),
      capture: (path) => path === "pyvenv.cfg",
      rewrite: (path) =>
        mayNamePrefix(path) ? (data) => relocateText(path, data, meta.prefixes, prefix) : undefined,
      onRead: (bytes) => progress.update(bytes, archiveSize),
      signal: abort.signal,
    });
    await venv;
    await adoptVenvSkeleton(skeleton, temp, prefix, result.captured.get("pyvenv.cfg"));
    await renameAtomic(temp, prefix, { replace: options.force });
    return { prefix, python: meta.python, interpreter, files: result.files };
  } catch (error) {
    throw abort.signal.aborted ? abort.signal.reason : error;
  } finally {
    await venv.catch(() => {});
    await Promise.all([
      rm(temp, { recursive: true, force: true }),
      rm(skeleton, { recursive: true, force: true }),
    ]);
    releaseTemp(temp);
    releaseTemp(skeleton);
  }
}

/**
 * The metadata member, which packEnv writes first (after the parent directories in format 2), so only the
 * first blocks are decompressed. `range`: where the archive sits in the file, when it is a bundle's member.
 */
export async function readPackedEnvMeta(
  archive: string,
  range: { start: number; end: number } | undefined = undefined,
): Promise<PackedEnvMeta> {
  let raw: Buffer | undefined;
  await parseTarFile(
    archive,
    (entry) => {
      if (entry.type === "Directory") return undefined;
      const path = memberPath(entry.path);
      if ((path !== metaName && !path.endsWith(`/${metaName}`)) || entry.size > 1 << 20) return "stop";
      return collect((data) => {
        raw = data;
      });
    },
    { gzip: true, ...(range ?? {}) },
  );
  const parsed = raw && packedEnvMetaSchema.safeParse(safeJson(raw.toString("utf8")));
  if (!parsed?.success) {
    throw new AppError(
      "invalid_input",
      `${archive} is not a packed environment made by swhub (no valid ${metaName})`,
    );
  }
  return parsed.data;
}

/** Every spelling of the prefix that files in the venv may contain. */
async function prefixSpellings(prefix: string): Promise<string[]> {
  const spellings = new Set([prefix, await realpath(prefix)]);
  const activate = await readFile(join(prefix, "bin", "activate"), "utf8").catch(() => "");
  const declared = activate.match(/^\s*VIRTUAL_ENV=["']?([^"'\n]+)["']?\s*$/m)?.[1];
  if (declared?.startsWith("/")) spellings.add(declared);
  return [...spellings];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
