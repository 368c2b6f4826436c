import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { BundleFile } from "@swhub/db/schema";
import { invalidInput } from "@swhub/shared/errors";
import { extract } from "tar-stream";
import { readAll } from "./store";

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
 * Reads a bundle once, front to back: its file list, `_manifest.yaml`, `runtime.yaml` and lock files. Anything
 * that is not a tar archive is refused with one clear error.
 */
export async function readBundle(
  open: (range?: { start: number; end: number }) => Promise<Readable>,
  size: number,
): Promise<BundleContents> {
  const contents: BundleContents = { manifest: "", lockFiles: {}, files: [] };
  let sawManifest = false;
  let members = 0;
  // Starwhale's bundles are plain tar; a gzipped one (magic bytes 1f 8b) is read too.
  const magic = size >= 2 ? await readAll(await open({ start: 0, end: 1 })) : Buffer.alloc(0);
  const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
  const tar = extract();
  const source = await open();
  source.on("error", (error) => tar.destroy(error));
  if (gzipped) {
    const gunzip = createGunzip();
    gunzip.on("error", (error) => tar.destroy(error));
    source.pipe(gunzip).pipe(tar);
  } else {
    source.pipe(tar);
  }
  try {
    for await (const entry of tar) {
      members++;
      const { header } = entry;
      const path = memberPath(header.name);
      const isFile = header.type === "file" || header.type === "contiguous-file";
      if (isFile && path) contents.files.push({ path, size: header.size });
      if (isFile && wantsText(path) && header.size <= maxTextBytes) {
        const parts: Buffer[] = [];
        for await (const part of entry) parts.push(part as Buffer);
        const text = Buffer.concat(parts).toString("utf8");
        if (path === "_manifest.yaml") {
          contents.manifest = text;
          sawManifest = true;
        } else if (path === "runtime.yaml") contents.runtimeYaml = text;
        else contents.lockFiles[path] = text;
      } else {
        entry.resume();
      }
    }
  } catch (error) {
    // The extractor gave up part way: close the file it was reading.
    source.destroy();
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
