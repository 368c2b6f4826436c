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
 * The archive is reproducible (sorted, root-owned, normalised modes), but file mtimes are kept, not fixed:
 * .pyc files are validated against their source's mtime, and a fixed one would make Python recompile them all.
 */

/** Where a packed environment sits inside a bundle. */
export const packedEnvPath = "export/venv_env.tar.gz";

/** First member of the archive: what unpacking needs before it can start. */
export const metaName = ".swhub-packed-env.json";

const packedEnvMetaSchema = z.object({
  format: z.literal(1),
  /** The old prefix, as every spelling found in the venv (as given, resolved, and from bin/activate). */
  prefixes: z.array(z.string()).min(1),
  python: z.string().regex(/^\d+\.\d+$/),
  systemSitePackages: z.boolean(),
  prompt: z.string().optional(),
});
export type PackedEnvMeta = z.infer<typeof packedEnvMetaSchema>;

export interface PackEnvOptions {
  progress?: ProgressSink;
  /**
   * gzip level. Default 4, as conda-pack and venv-pack use: on a 200 MB venv it takes about half the CPU time of
   * level 6 (`tar -czf`'s) for a 5% larger archive, and unpacking is as fast either way.
   */
  level?: number;
}

export interface PackedEnv {
  path: string;
  size: number;
  digest: Sha256Digest;
  python: string;
  files: number;
}

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
  const meta: PackedEnvMeta = {
    format: 1,
    prefixes: await prefixSpellings(prefix),
    python,
    systemSitePackages: cfg.get("include-system-site-packages")?.toLowerCase() === "true",
    ...(cfg.has("prompt") ? { prompt: cfg.get("prompt")!.replace(/^(['"])(.*)\1$/, "$2") } : {}),
  };

  const tree = await collectTree(prefix, {
    include: (path) => !isInterpreterPath(path) && path !== metaName,
  });
  const content = Buffer.from(`${JSON.stringify(meta)}\n`);
  const members: TarMember[] = [
    { path: metaName, type: "file", mode: 0o644, mtime: defaultBundleMtime, size: content.length, content },
    ...sortMembers(tree),
  ];
  const guard = createEntryGuard({
    prefix: `cannot pack ${prefix}:`,
    hint: "a packed environment must be self-contained; remove links that point outside the venv",
  });
  for (const member of members) guard.admit(member);
  guard.finish();

  const progress = options.progress ?? silentProgress;
  const total = members.reduce((sum, m) => sum + m.size, 0);
  progress.phase("pack-env", total);
  let done = 0;
  const hash = createHash("sha256");
  let size = 0;
  await writeFileAtomicWith(
    outFile,
    async (handle) => {
      await pipeline(
        Readable.from(tarChunks(members), { objectMode: false }),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            done += chunk.length;
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
  return { path: outFile, size, digest: `sha256:${hash.digest("hex")}`, python, files };
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

/** The metadata member, which packEnv writes first, so only the first blocks are decompressed. */
export async function readPackedEnvMeta(archive: string): Promise<PackedEnvMeta> {
  let raw: Buffer | undefined;
  await parseTarFile(
    archive,
    (entry) => {
      if (memberPath(entry.path) !== metaName || entry.size > 1 << 20) return "stop";
      return collect((data) => {
        raw = data;
      });
    },
    { gzip: true },
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
