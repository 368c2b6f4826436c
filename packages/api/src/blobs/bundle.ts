import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { BundleFile } from "@swhub/db/schema";
import { invalidInput } from "@swhub/shared/errors";
import { extract } from "tar-stream";
import { readAll } from "./store";
import { scanTar, type TarMember } from "./tar-seek";

/** What the server keeps from a runtime bundle (.swrt) when a version is committed. */
export interface BundleContents {
  /** The text of `_manifest.yaml`. */
  manifest: string;
  /** The text of `runtime.yaml`, when the bundle has one. */
  runtimeYaml?: string;
  /** Lock files (`dependencies/.starwhale/lock/*`) by path inside the bundle. */
  lockFiles: Record<string, string>;
  /** Every regular file with its size, in archive order. */
  files: BundleFile[];
}

/** Texts larger than this are not kept (a manifest or lock file is a few kilobytes). */
const maxTextBytes = 1 << 20;
const lockDir = "dependencies/.starwhale/lock/";

/** Member names without a leading `/` or `./`; Starwhale's root member `/` becomes "". */
function memberPath(name: string): string {
  return name.replace(/^(\.?\/)+/, "").replace(/\/+$/, "");
}

function wantsText(path: string): boolean {
  return path === "_manifest.yaml" || path === "runtime.yaml" || path.startsWith(lockDir);
}

/**
 * Reads a bundle's file list, `_manifest.yaml`, `runtime.yaml` and lock files. A plain tar (what swcli and
 * Starwhale write) is walked by its headers, reading only those and the few wanted members; a gzipped one is
 * streamed through once. Anything that is not a tar archive is refused with one clear error.
 */
export async function readBundle(
  open: (range?: { start: number; end: number }) => Promise<Readable>,
  size: number,
): Promise<BundleContents> {
  const contents: BundleContents = { manifest: "", lockFiles: {}, files: [] };
  let sawManifest = false;
  let members = 0;
  const take = (path: string, text: string) => {
    if (path === "_manifest.yaml") {
      contents.manifest = text;
      sawManifest = true;
    } else if (path === "runtime.yaml") contents.runtimeYaml = text;
    else contents.lockFiles[path] = text;
  };
  // Starwhale's bundles are plain tar; a gzipped one (magic bytes 1f 8b) is read too.
  const magic = size >= 2 ? await readAll(await open({ start: 0, end: 1 })) : Buffer.alloc(0);
  const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
  const onMember = async (member: TarMember) => {
    members++;
    const path = memberPath(member.name);
    if (member.type === "file" && path) contents.files.push({ path, size: member.size });
    if (member.type === "file" && wantsText(path) && member.size <= maxTextBytes) {
      take(path, (await member.data()).toString("utf8"));
    }
  };
  try {
    if (gzipped) await streamGzippedTar(await open(), onMember);
    else await scanTar(open, size, onMember);
  } catch (error) {
    const reason = (error as Error).message;
    throw invalidInput(
      `The bundle is not a readable tar archive (${reason.replace(/\.$/, "")})`,
      "upload a .swrt file built by swcli or Starwhale",
    );
  }
  if (members === 0) {
    throw invalidInput("The bundle is not a tar archive (it is empty)", "upload a .swrt file built by swcli");
  }
  if (!sawManifest)
    throw invalidInput("The bundle has no _manifest.yaml", "upload a .swrt file built by swcli");
  return contents;
}

/** Reads a gzipped tar front to back with tar-stream (a gzip stream can't be jumped through), like `scanTar`. */
async function streamGzippedTar(source: Readable, onMember: (member: TarMember) => Promise<void>) {
  const tar = extract();
  const gunzip = createGunzip();
  source.on("error", (error) => tar.destroy(error));
  gunzip.on("error", (error) => tar.destroy(error));
  source.pipe(gunzip).pipe(tar);
  try {
    for await (const entry of tar) {
      const { header } = entry;
      let read = false;
      const isFile = header.type === "file" || header.type === "contiguous-file";
      await onMember({
        name: header.name,
        type: isFile ? "file" : header.type === "directory" ? "directory" : "other",
        size: header.size ?? 0,
        data: async () => {
          read = true;
          const parts: Buffer[] = [];
          for await (const part of entry) parts.push(part as Buffer);
          return Buffer.concat(parts);
        },
      });
      if (!read) entry.resume();
    }
  } catch (error) {
    // The extractor gave up part way: close the file it was reading.
    source.destroy();
    throw error;
  }
}
