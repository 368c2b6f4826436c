import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { pack as createPack } from "tar-stream";
import { blobPath, blobSize, hasLayoutBlob, readBlob, refNameAnnotation } from "./layout";
import { parseReference } from "./reference";
import { addTarEntry, streamTarEntry } from "./tar";
import {
  type Descriptor,
  formatPlatform,
  indexSchema,
  isIndexMediaType,
  manifestSchema,
  type Platform,
} from "./types";

export interface DockerArchiveOptions {
  /** The image (or index, with `platform`) in the layout to export. */
  root: Descriptor;
  /** Names `docker load` gives the image, e.g. `ghcr.io/team/app:1.0`. */
  repoTags: string[];
  /** Which image of an index. Default linux/amd64. */
  platform?: Platform;
}

/**
 * Writes a tar that `docker load` accepts (`manifest.json` + config + layers), laid out like Docker 25's
 * `docker save`: blobs under `blobs/sha256/`, plus `oci-layout` and `index.json`, so the same file is also
 * an OCI layout archive. The file appears only when complete.
 */
export async function writeDockerArchive(
  layoutDir: string,
  outPath: string,
  options: DockerArchiveOptions,
): Promise<void> {
  const repoTags = options.repoTags.map((tag) => {
    const ref = parseReference(tag);
    return `${ref.registry}/${ref.repository}:${ref.tag ?? "latest"}`;
  });
  const manifestDescriptor = await selectManifest(layoutDir, options.root, options.platform);
  const manifestBytes = await readBlob(layoutDir, manifestDescriptor.digest);
  const manifest = manifestSchema.parse(JSON.parse(manifestBytes.toString("utf8")));
  for (const layer of manifest.layers) {
    if (!(await hasLayoutBlob(layoutDir, layer.digest))) {
      throw notFound(
        `layer ${layer.digest} is not in ${layoutDir}`,
        "pull the base image with all its layers first",
      );
    }
  }

  const name = (digest: string) => `blobs/sha256/${digest.slice("sha256:".length)}`;
  const dockerManifest = [
    {
      Config: name(manifest.config.digest),
      RepoTags: repoTags,
      Layers: manifest.layers.map((l) => name(l.digest)),
    },
  ];
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: repoTags.map((tag) => ({
      ...manifestDescriptor,
      annotations: {
        "io.containerd.image.name": tag,
        [refNameAnnotation]: tag.slice(tag.lastIndexOf(":") + 1),
      },
    })),
  };

  const tar = createPack();
  const temp = `${outPath}.${randomBytes(6).toString("hex")}.tmp`;
  const mtime = new Date(0);
  const header = (entryName: string, size: number) =>
    ({ name: entryName, type: "file", mode: 0o644, mtime, uid: 0, gid: 0, size }) as const;
  const add = (entryName: string, text: string) =>
    addTarEntry(tar, header(entryName, Buffer.byteLength(text)), Buffer.from(text));
  const produce = async () => {
    try {
      const seen = new Set<string>();
      for (const digest of [
        manifest.config.digest,
        manifestDescriptor.digest,
        ...manifest.layers.map((l) => l.digest),
      ]) {
        if (seen.has(digest)) continue;
        seen.add(digest);
        const size = await blobSize(layoutDir, digest);
        await streamTarEntry(tar, header(name(digest), size), blobPath(layoutDir, digest));
      }
      await add("oci-layout", JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      await add("index.json", JSON.stringify(index));
      await add("manifest.json", JSON.stringify(dockerManifest));
      tar.finalize();
    } catch (error) {
      tar.destroy(error as Error);
      throw error;
    }
  };
  try {
    await Promise.all([produce(), pipeline(tar, createWriteStream(temp))]);
    await rename(temp, outPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function selectManifest(layoutDir: string, root: Descriptor, platform?: Platform): Promise<Descriptor> {
  if (!isIndexMediaType(root.mediaType)) return root;
  const wanted = platform ?? { os: "linux", architecture: "amd64" };
  const index = indexSchema.parse(JSON.parse((await readBlob(layoutDir, root.digest)).toString("utf8")));
  const found = index.manifests.find(
    (d) => d.platform?.os === wanted.os && d.platform.architecture === wanted.architecture,
  );
  if (!found) {
    const has = index.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : "?")).join(", ");
    throw invalidInput(`the index has no image for ${formatPlatform(wanted)}`, `it has: ${has}`);
  }
  return found;
}
