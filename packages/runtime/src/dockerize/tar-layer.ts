import { createReadStream } from "node:fs";
import { posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { gzipLayerSink, type Layer } from "../oci/layer";
import { encodeHeader, type HeaderFields } from "./tar-encode";
import { type Decision, memberPath, readTar, type TarMember } from "./tar-parse";

/*
 * A layer made straight from a tar archive (a bundle, a packed environment), one pass and nothing on disk:
 * members are read, moved under a prefix, optionally rewritten, and written into the layer's tar, then a few
 * extra entries are appended. Files keep their mtimes (a packed env's .pyc files are checked against them);
 * ownership is root, modes are kept. The same archive gives the same layer. The tar is parsed and written in
 * bulk (no stream object per member), which matters for environments of tens of thousands of small files.
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
  extra?: (captured: Map<string, Buffer>, written: Set<string>) => ExtraEntry[];
  /** mtime (seconds) of directories and extra entries. Default 0, the Unix epoch. */
  mtime?: number;
  compressionLevel?: number;
  /** Compress on this many cores (see parallel-gzip.ts). Default 1. */
  parallel?: number;
  onProgress?: (bytes: number) => void;
  /** Stops reading (and fails with the signal's reason) when aborted. */
  signal?: AbortSignal;
}

export async function layerFromTar(layoutDir: string, options: TarLayerOptions): Promise<Layer> {
  const sink = gzipLayerSink(layoutDir, options);
  const source = createReadStream(options.archive, { highWaterMark: 1 << 20 });
  const stages = options.gzip ? [source, createGunzip({ chunkSize: 1 << 20 })] : [source];
  try {
    await pipeline(
      // @ts-expect-error pipeline's overloads stop at fixed arities; the stages are streams either way.
      ...stages,
      (input: AsyncIterable<Buffer>) => relayer(input, options),
      ...sink.streams,
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
  } catch (error) {
    await sink.abort(error as Error);
    throw error;
  }
  return sink.layer();
}

const root = { uid: 0, gid: 0 };

/** The archive's members under the prefix, rewritten as asked, then the extra entries and the end marker. */
async function* relayer(input: AsyncIterable<Buffer>, options: TarLayerOptions): AsyncGenerator<Buffer> {
  const prefix = posix.normalize(`/${options.prefix}`).replace(/^\/+|\/+$/g, "");
  const mtime = options.mtime ?? 0;
  const out: Buffer[] = [];
  let outBytes = 0;
  const emit = (data: Buffer) => {
    out.push(data);
    outBytes += data.length;
  };
  const take = () => {
    const chunk = Buffer.concat(out, outBytes);
    out.length = 0;
    outBytes = 0;
    return chunk;
  };
  const dirs = new Set<string>();
  const header = (fields: Omit<HeaderFields, "uid" | "gid">) => emit(encodeHeader({ ...root, ...fields }));
  const ensureParents = (name: string) => {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      header({ name: `${dir}/`, type: "dir", mode: 0o755, mtime, size: 0 });
    }
  };
  const file = (name: string, data: Buffer, mode: number, time: number) => {
    header({ name, type: "file", mode, mtime: time, size: data.length });
    emit(data);
    emit(Buffer.alloc(padding(data.length)));
  };
  const place = (member: TarMember) => {
    const name = prefix ? `${prefix}/${member.path}` : member.path;
    seen.add(`/${name}`);
    ensureParents(name);
    return { name, mode: member.mode & 0o7777, time: Math.floor(member.mtime ?? mtime) };
  };
  if (prefix) ensureParents(`${prefix}/x`);

  const captured = new Map<string, Buffer>();
  const seen = new Set<string>();
  const decide = (member: TarMember): Decision => {
    if (member.path === "" || !(options.include?.(member.path) ?? true)) return "skip";
    if (member.type !== "file") return "pass";
    return options.capture?.(member.path) || options.rewrite?.(member.path) ? "buffer" : "pass";
  };
  // The first bytes of the file being passed through, for `inspect`.
  let head: { path: string; parts: Buffer[]; bytes: number } | undefined;
  const inspectHead = () => {
    if (head) options.inspect?.(head.path, Buffer.concat(head.parts).subarray(0, 64));
    head = undefined;
  };
  for await (const item of readTar(input, options.archive, decide)) {
    if (item.kind === "data") {
      emit(item.data);
      if (head) {
        head.parts.push(item.data.subarray(0, 64));
        head.bytes += item.data.length;
        if (head.bytes >= 64) inspectHead();
      }
    } else if (item.kind === "end") {
      inspectHead();
      emit(Buffer.alloc(padding(item.size)));
    } else if (item.kind === "buffered") {
      const { member, data } = item;
      const rewrite = options.rewrite?.(member.path);
      if (!rewrite) captured.set(member.path, data);
      else {
        const { name, mode, time } = place(member);
        const content = rewrite(data);
        options.inspect?.(member.path, content.subarray(0, 64));
        file(name, content, mode, time);
      }
    } else {
      const { member } = item;
      const { name, mode, time } = place(member);
      if (member.type === "dir") {
        if (!dirs.has(name)) {
          dirs.add(name);
          header({ name: `${name}/`, type: "dir", mode, mtime: time, size: 0 });
        }
      } else if (member.type === "symlink") {
        header({ name, type: "symlink", mode, mtime: time, size: 0, linkname: member.linkpath });
      } else if (member.type === "hardlink") {
        const target = memberPath(member.linkpath);
        header({
          name,
          type: "hardlink",
          mode,
          mtime: time,
          size: 0,
          linkname: prefix ? `${prefix}/${target}` : target,
        });
      } else {
        header({ name, type: "file", mode, mtime: time, size: member.size });
        head = { path: member.path, parts: [], bytes: 0 };
      }
    }
    if (outBytes >= 1 << 20) yield take();
  }

  for (const extra of options.extra?.(captured, seen) ?? []) {
    const name = posix.normalize(extra.path).replace(/^\/+/, "");
    ensureParents(name);
    if (extra.type === "symlink") {
      header({ name, type: "symlink", mode: 0o777, mtime, size: 0, linkname: extra.target });
    } else file(name, Buffer.from(extra.content), extra.mode ?? 0o644, mtime);
  }
  emit(Buffer.alloc(1024));
  yield take();
}

function padding(size: number): number {
  return (512 - (size % 512)) % 512;
}
