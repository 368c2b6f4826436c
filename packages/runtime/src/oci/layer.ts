import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { PassThrough, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { invalidInput } from "@swhub/shared/errors";
import { pack as createPack, type Pack } from "tar-stream";
import { writeBlobStream } from "./layout";
import { createParallelGzip } from "./parallel-gzip";
import { addTarEntry, streamTarEntry } from "./tar";
import { type Descriptor, mediaTypes } from "./types";

/** One thing to put in a layer. Paths are inside the image; parents are added as needed. */
export type LayerEntry =
  | { path: string; type: "file"; source: string; mode?: number }
  | { path: string; type: "file"; content: Buffer | string; mode?: number }
  | { path: string; type: "directory"; mode?: number }
  | { path: string; type: "symlink"; target: string };

export interface CreateLayerOptions {
  /** Everything under this directory (symlinks kept as links), or an explicit list of entries. */
  from: { directory: string } | { entries: LayerEntry[] };
  /** Where the content lands in the image, e.g. `/opt/starwhale.user/runtime`. Default `/`. */
  prefix?: string;
  /** Skips paths (relative to the directory, `/`-separated) when taking a directory. */
  exclude?: (relativePath: string, isDirectory: boolean) => boolean;
  /** gzip level 1-9. Default 6, as Docker and go-containerregistry. */
  compressionLevel?: number;
  /** The mtime of every entry. Default the Unix epoch, so layers are reproducible. */
  mtime?: Date;
  /**
   * Keep the mtimes of regular files taken from a directory (directories and links still get `mtime`). For trees
   * whose `.pyc` files are checked against their sources' mtimes, such as an unpacked Python environment.
   */
  keepFileMtimes?: boolean;
  /** Called with the uncompressed bytes written so far. */
  onProgress?: (bytes: number) => void;
  /** Compress on this many cores (gzip members of 4 MiB each, see parallel-gzip.ts). Default 1: one stream. */
  parallel?: number;
}

/** A layer blob written to a layout: its descriptor (compressed) and diff_id (uncompressed digest). */
export interface Layer {
  descriptor: Descriptor;
  diffId: string;
}

interface PlannedEntry {
  name: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  size: number;
  source?: string;
  content?: Buffer;
  target?: string;
  mtime?: Date;
}

const largeFile = 1024 * 1024;

/**
 * Makes a reproducible layer: entries sorted (parents first), uid/gid 0, no user names, one fixed mtime,
 * modes normalised to 0755 (directories and executables), 0644 (other files) and 0777 (links).
 * The same inputs give the same bytes, hence the same digest and diff_id.
 */
export async function createLayer(layoutDir: string, options: CreateLayerOptions): Promise<Layer> {
  const prefix = normalisePrefix(options.prefix ?? "/");
  const planned =
    "directory" in options.from
      ? await planDirectory(options.from.directory, prefix, options.exclude, options.keepFileMtimes ?? false)
      : await planEntries(options.from.entries, prefix);
  const mtime = options.mtime ?? new Date(0);

  const tar = createPack();
  const sink = gzipLayerSink(layoutDir, options);
  await Promise.all([writeEntries(tar, planned, mtime), pipeline(tar, ...sink.streams)]);
  return sink.layer();
}

/**
 * The tail every layer writer shares: the tar is hashed as it goes by (its diff_id), gzipped (on several cores
 * when asked) and written into the layout as a blob. Pipe a tar through `streams`, then `layer()` gives the
 * result; `abort` ends the blob write when the producer fails before piping.
 */
export function gzipLayerSink(
  layoutDir: string,
  options: Pick<CreateLayerOptions, "compressionLevel" | "parallel" | "onProgress">,
) {
  const diffHash = createHash("sha256");
  let uncompressed = 0;
  const hashUncompressed = new Transform({
    transform(chunk: Buffer, _e, cb) {
      diffHash.update(chunk);
      uncompressed += chunk.length;
      options.onProgress?.(uncompressed);
      cb(null, chunk);
    },
  });
  const level = options.compressionLevel ?? 6;
  const gzip =
    (options.parallel ?? 1) > 1
      ? createParallelGzip({ level, concurrency: options.parallel! })
      : createGzip({ level, chunkSize: 256 * 1024 });
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const written = writeBlobStream(layoutDir, out);
  return {
    streams: [hashUncompressed, gzip, out] as const,
    async layer(): Promise<Layer> {
      const blob = await written;
      return {
        descriptor: { mediaType: mediaTypes.ociLayerGzip, digest: blob.digest, size: blob.size },
        diffId: `sha256:${diffHash.digest("hex")}`,
      };
    },
    async abort(error: Error): Promise<void> {
      out.destroy(error);
      await written.catch(() => {});
    },
  };
}

async function writeEntries(tar: Pack, entries: PlannedEntry[], mtime: Date) {
  try {
    for (const e of entries) {
      const header = {
        name: e.name,
        mode: e.mode,
        uid: 0,
        gid: 0,
        uname: "",
        gname: "",
        mtime: e.mtime ?? mtime,
      };
      if (e.type === "directory") await addTarEntry(tar, { ...header, type: "directory" });
      else if (e.type === "symlink")
        await addTarEntry(tar, { ...header, type: "symlink", linkname: e.target! });
      else if (e.content || e.size < largeFile) {
        const content = e.content ?? (await readFile(e.source!));
        if (content.length !== e.size)
          throw invalidInput(`${e.source} changed while the layer was being written`);
        await addTarEntry(tar, { ...header, type: "file", size: e.size }, content);
      } else {
        await streamTarEntry(tar, { ...header, type: "file", size: e.size }, e.source!);
      }
    }
    tar.finalize();
  } catch (error) {
    tar.destroy(error as Error);
    throw error;
  }
}

function normalisePrefix(prefix: string): string {
  if (prefix.split("/").includes("..")) throw invalidInput(`layer prefix "${prefix}" leaves the image root`);
  return posix.normalize(`/${prefix}`).replace(/^\/+|\/+$/g, "");
}

/** The directories above `path` (not itself), as tar entry names. */
function parentsOf(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

const dirMode = 0o755;

async function planDirectory(
  root: string,
  prefix: string,
  exclude: CreateLayerOptions["exclude"],
  keepFileMtimes: boolean,
): Promise<PlannedEntry[]> {
  const rootStat = await lstat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw invalidInput(`cannot make a layer from ${root}: not a directory`);
  const entries: PlannedEntry[] = [];
  if (prefix) {
    for (const p of [...parentsOf(prefix), prefix])
      entries.push({ name: `${p}/`, type: "directory", mode: dirMode, size: 0 });
  }
  async function walk(dir: string, rel: string) {
    const names = (await readdir(dir)).sort(compareNames);
    for (const name of names) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = await lstat(path);
      if (exclude?.(relPath, stat.isDirectory())) continue;
      const inImage = prefix ? `${prefix}/${relPath}` : relPath;
      if (stat.isDirectory()) {
        entries.push({ name: `${inImage}/`, type: "directory", mode: dirMode, size: 0 });
        await walk(path, relPath);
      } else if (stat.isSymbolicLink()) {
        entries.push({ name: inImage, type: "symlink", mode: 0o777, size: 0, target: await readlink(path) });
      } else if (stat.isFile()) {
        entries.push({
          name: inImage,
          type: "file",
          mode: fileMode(stat.mode),
          size: stat.size,
          source: path,
          ...(keepFileMtimes ? { mtime: stat.mtime } : {}),
        });
      }
      // Sockets, fifos and devices have no place in an image layer; skip them as tar does.
    }
  }
  await walk(root, "");
  return entries;
}

async function planEntries(list: LayerEntry[], prefix: string): Promise<PlannedEntry[]> {
  const byName = new Map<string, PlannedEntry>();
  const addDir = (name: string, mode = dirMode) => {
    if (!byName.has(name)) byName.set(name, { name, type: "directory", mode: mode & 0o7777, size: 0 });
  };
  for (const entry of list) {
    const rel = posix.normalize(entry.path).replace(/^\/+|\/+$/g, "");
    if (rel === "" || rel === "." || rel.split("/").includes("..")) {
      throw invalidInput(`layer entry path "${entry.path}" is not a path inside the image`);
    }
    const name = prefix ? `${prefix}/${rel}` : rel;
    for (const parent of parentsOf(name)) addDir(parent);
    if (entry.type === "directory") {
      addDir(name, entry.mode ?? dirMode);
    } else if (entry.type === "symlink") {
      byName.set(name, { name, type: "symlink", mode: 0o777, size: 0, target: entry.target });
    } else if ("content" in entry) {
      const content = Buffer.from(entry.content);
      byName.set(name, { name, type: "file", mode: entry.mode ?? 0o644, size: content.length, content });
    } else {
      const stat = await lstat(entry.source).catch(() => undefined);
      if (!stat?.isFile()) throw invalidInput(`layer entry source ${entry.source} is not a file`);
      byName.set(name, {
        name,
        type: "file",
        mode: entry.mode ?? fileMode(stat.mode),
        size: stat.size,
        source: entry.source,
      });
    }
  }
  return [...byName.values()]
    .map((e) => (e.type === "directory" ? { ...e, name: `${e.name}/` } : e))
    .sort((a, b) => comparePaths(a.name, b.name));
}

function fileMode(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644;
}

function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Component-wise order, so a directory comes right before its contents. */
function comparePaths(a: string, b: string): number {
  const pa = a.replace(/\/$/, "").split("/");
  const pb = b.replace(/\/$/, "").split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareNames(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}
