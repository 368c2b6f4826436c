import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { posix } from "node:path";
import { PassThrough, type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { invalidInput } from "@swhub/shared/errors";
import { extract, type Pack, pack } from "tar-stream";

type EntryHeader = Parameters<Pack["entry"]>[0];

import type { Layer } from "../oci/layer";
import { writeBlobStream } from "../oci/layout";
import { createParallelGzip } from "../oci/parallel-gzip";
import { addTarEntry } from "../oci/tar";
import { mediaTypes } from "../oci/types";

/*
 * A layer made straight from a tar archive (a bundle, a packed environment), one pass and nothing on disk:
 * members are read, moved under a prefix, optionally rewritten, and written into the layer's tar, then a few
 * extra entries are appended. Files keep their mtimes (a packed env's .pyc files are checked against them);
 * ownership is root, modes are kept. The same archive gives the same layer.
 */

/** An entry appended after the archive's, at an absolute path in the image. */
export type ExtraEntry =
  | { path: string; type: "file"; content: Buffer | string; mode?: number }
  | { path: string; type: "symlink"; target: string };

export interface TarLayerOptions {
  archive: string;
  gzip: boolean;
  /** Where the archive's root lands in the image, e.g. `/opt/starwhale.user/runtime`. */
  prefix: string;
  /** Members (relative paths) to keep; default all. */
  include?: (path: string) => boolean;
  /** Files whose content is buffered and replaced (small text files). */
  rewrite?: (path: string) => ((data: Buffer) => Buffer) | undefined;
  /** Files whose content is kept aside instead of written. */
  capture?: (path: string) => boolean;
  /** Sees the first bytes of every kept regular file; throwing stops the layer. */
  inspect?: (path: string, head: Buffer) => void;
  /** Entries to append once the archive is read, given the captured files and the image paths written. */
  extra?: (captured: Map<string, Buffer>, written: Set<string>) => ExtraEntry[] | Promise<ExtraEntry[]>;
  /** mtime of directories and extra entries. Default the Unix epoch. */
  mtime?: Date;
  compressionLevel?: number;
  /** Compress on this many cores (see parallel-gzip.ts). Default 1. */
  parallel?: number;
  onProgress?: (bytes: number) => void;
  /** Stops reading (and fails with the signal's reason) when aborted. */
  signal?: AbortSignal;
}

export async function layerFromTar(layoutDir: string, options: TarLayerOptions): Promise<Layer> {
  const prefix = posix.normalize(`/${options.prefix}`).replace(/^\/+|\/+$/g, "");
  const mtime = options.mtime ?? new Date(0);
  const out = pack();
  const diffHash = createHash("sha256");
  let written = 0;
  const hashUncompressed = new Transform({
    transform(chunk: Buffer, _e, cb) {
      diffHash.update(chunk);
      written += chunk.length;
      options.onProgress?.(written);
      cb(null, chunk);
    },
  });
  const level = options.compressionLevel ?? 6;
  const gzip =
    (options.parallel ?? 1) > 1
      ? createParallelGzip({ level, concurrency: options.parallel! })
      : createGzip({ level, chunkSize: 256 * 1024 });
  const sink = new PassThrough({ highWaterMark: 1 << 20 });
  const blob = writeBlobStream(layoutDir, sink);
  const packing = pipeline(out, hashUncompressed, gzip, sink);
  try {
    await Promise.all([fill(out, prefix, mtime, options), packing]);
  } catch (error) {
    out.destroy(error as Error);
    sink.destroy(error as Error);
    await blob.catch(() => {});
    throw error;
  }
  const { digest, size } = await blob;
  return {
    descriptor: { mediaType: mediaTypes.ociLayerGzip, digest, size },
    diffId: `sha256:${diffHash.digest("hex")}`,
  };
}

async function fill(out: Pack, prefix: string, mtime: Date, options: TarLayerOptions): Promise<void> {
  const dirs = new Set<string>();
  const ensureParents = async (name: string) => {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      await addTarEntry(out, { name: `${dir}/`, type: "directory", mode: 0o755, mtime, ...root });
    }
  };
  if (prefix) await ensureParents(`${prefix}/x`);

  const captured = new Map<string, Buffer>();
  const entries = extract();
  const source: Readable = createReadStream(options.archive, { highWaterMark: 1 << 20 });
  const signal = options.signal ? { signal: options.signal } : {};
  const reading = options.gzip
    ? pipeline(source, createGunzip({ chunkSize: 1 << 20 }), entries, signal)
    : pipeline(source, entries, signal);
  const consuming = (async () => {
    const seen = new Set<string>();
    for await (const entry of entries) {
      const header = entry.header;
      const path = memberPath(header.name);
      if (path === "" || !(options.include?.(path) ?? true)) {
        entry.resume();
        continue;
      }
      const name = prefix ? `${prefix}/${path}` : path;
      seen.add(`/${name}`);
      await ensureParents(name);
      const base = { mode: (header.mode ?? 0o644) & 0o7777, mtime: header.mtime ?? mtime, ...root };
      if (header.type === "directory") {
        entry.resume();
        if (!dirs.has(name)) {
          dirs.add(name);
          await addTarEntry(out, { ...base, name: `${name}/`, type: "directory" });
        }
      } else if (header.type === "symlink") {
        entry.resume();
        await addTarEntry(out, { ...base, name, type: "symlink", linkname: header.linkname ?? "" });
      } else if (header.type === "link") {
        entry.resume();
        const target = memberPath(header.linkname ?? "");
        await addTarEntry(out, {
          ...base,
          name,
          type: "link",
          linkname: prefix ? `${prefix}/${target}` : target,
        });
      } else if (header.type === "file" || header.type === "contiguous-file") {
        const rewrite = options.rewrite?.(path);
        if (options.capture?.(path) || rewrite) {
          const data = await collect(entry);
          if (!rewrite) captured.set(path, data);
          else {
            const content = rewrite(data);
            options.inspect?.(path, content.subarray(0, 64));
            await addTarEntry(out, { ...base, name, type: "file", size: content.length }, content);
          }
        } else {
          await copyEntry(out, { ...base, name, type: "file", size: header.size ?? 0 }, entry, (head) =>
            options.inspect?.(path, head),
          );
        }
      } else {
        entry.resume();
        throw invalidInput(
          `${options.archive}: "${path}" is a ${header.type}, which has no place in an image layer`,
        );
      }
    }
    return seen;
  })().catch((error) => {
    entries.destroy(error as Error);
    throw error;
  });
  const [, seen] = await Promise.all([reading, consuming]);

  const extras = (await options.extra?.(captured, seen)) ?? [];
  for (const extra of extras) {
    const name = posix.normalize(extra.path).replace(/^\/+/, "");
    await ensureParents(name);
    if (extra.type === "symlink") {
      await addTarEntry(out, { name, type: "symlink", linkname: extra.target, mode: 0o777, mtime, ...root });
    } else {
      const content = Buffer.from(extra.content);
      const header = {
        name,
        type: "file" as const,
        mode: extra.mode ?? 0o644,
        mtime,
        size: content.length,
        ...root,
      };
      await addTarEntry(out, header, content);
    }
  }
  out.finalize();
}

const root = { uid: 0, gid: 0, uname: "", gname: "" };

/** "./a/b/" → "a/b"; "/" → "" (the archive's root). */
function memberPath(raw: string): string {
  return posix
    .normalize(`/${raw}`)
    .replace(/^\/+|\/+$/g, "")
    .replace(/^\.$/, "");
}

async function collect(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Streams one member into the layer with backpressure, showing its first bytes to `inspect`. */
async function copyEntry(
  out: Pack,
  header: EntryHeader,
  entry: AsyncIterable<unknown>,
  inspect: (head: Buffer) => void,
) {
  const target = out.entry(header);
  const finished = new Promise<void>((resolve, reject) => {
    target.once("error", reject);
    target.once("finish", () => resolve());
  });
  // If this entry fails half-way, the whole pack is torn down; that rejection is reported by the caller.
  finished.catch(() => {});
  let first = true;
  for await (const chunk of entry) {
    if (first) {
      inspect((chunk as Buffer).subarray(0, 64));
      first = false;
    }
    if (!target.write(chunk as Buffer)) await new Promise<void>((r) => target.once("drain", () => r()));
  }
  target.end(undefined);
  await finished;
}
