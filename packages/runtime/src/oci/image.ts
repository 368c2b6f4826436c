import { invalidInput } from "@swhub/shared/errors";
import type { Layer } from "./layer";
import { writeJsonBlob } from "./layout";
import {
  type Descriptor,
  type HistoryEntry,
  type ImageConfig,
  type ImageIndex,
  type Manifest,
  mediaTypes,
  type Platform,
} from "./types";

/** What an image is built on: its config and layers (from `pullImage`), or nothing (`scratch`). */
export interface BaseImage {
  config: ImageConfig;
  layers: Descriptor[];
}

export interface ImageSettings {
  /** Set or override variables; the base's others stay. */
  env?: Record<string, string>;
  /** Added to (and overriding) the base's labels. */
  labels?: Record<string, string>;
  workingDir?: string;
  /** `null` clears the base's value; undefined keeps it. */
  entrypoint?: string[] | null;
  cmd?: string[] | null;
  user?: string;
  /** The `created` time of the config and of the new history entries. Default the Unix epoch (reproducible). */
  created?: string;
  author?: string;
}

export interface BuildImageOptions {
  base?: BaseImage;
  /** Layers to put on top, each with the history line that describes it. */
  layers: { layer: Layer; createdBy: string; comment?: string }[];
  settings?: ImageSettings;
  /** Required without a base; with one, the base's platform is used and must match if given. */
  platform?: Platform;
}

/** An image written to a layout: its manifest descriptor (with platform) and parsed parts. */
export interface BuiltImage {
  descriptor: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
  platform: Platform;
}

const epoch = "1970-01-01T00:00:00Z";

/** Docker's layer media types are the same bytes as OCI's; an OCI manifest names them the OCI way. */
const ociLayerType: Record<string, string> = {
  [mediaTypes.dockerLayerGzip]: mediaTypes.ociLayerGzip,
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
};

/** Writes the config and manifest of `base + layers` into the layout. Same inputs, same digests. */
export async function buildImage(layoutDir: string, options: BuildImageOptions): Promise<BuiltImage> {
  const settings = options.settings ?? {};
  const created = settings.created ?? epoch;
  const base = options.base;
  const platform = basePlatform(base, options.platform);

  const baseConfig = base?.config;
  const inner = { ...baseConfig?.config };
  if (settings.env) inner.Env = mergeEnv(inner.Env ?? [], settings.env);
  if (settings.labels) {
    // Sorted, so the config bytes do not depend on the order the caller listed labels in.
    const labels = { ...inner.Labels, ...settings.labels };
    inner.Labels = Object.fromEntries(
      Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
  if (settings.workingDir !== undefined) inner.WorkingDir = settings.workingDir;
  if (settings.user !== undefined) inner.User = settings.user;
  if (settings.entrypoint !== undefined) inner.Entrypoint = settings.entrypoint;
  if (settings.cmd !== undefined) inner.Cmd = settings.cmd;

  const history: HistoryEntry[] = [
    ...(baseConfig?.history ?? []),
    ...options.layers.map(({ createdBy, comment }) => ({
      created,
      created_by: createdBy,
      ...(comment ? { comment } : {}),
    })),
  ];
  // Fields that describe how the base itself was built would be wrong for this image.
  const {
    container: _c,
    container_config: _cc,
    docker_version: _dv,
    ...rest
  } = (baseConfig ?? {}) as ImageConfig & {
    container?: unknown;
    container_config?: unknown;
    docker_version?: unknown;
  };
  const config: ImageConfig = {
    ...rest,
    created,
    ...(settings.author ? { author: settings.author } : {}),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: inner,
    rootfs: {
      type: "layers",
      diff_ids: [...(baseConfig?.rootfs.diff_ids ?? []), ...options.layers.map((l) => l.layer.diffId)],
    },
    history,
  };
  const configDescriptor = await writeJsonBlob(layoutDir, config, mediaTypes.ociConfig);

  const baseLayers = (base?.layers ?? []).map((d) => ({
    ...d,
    mediaType: ociLayerType[d.mediaType] ?? d.mediaType,
  }));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: configDescriptor,
    layers: [...baseLayers, ...options.layers.map((l) => l.layer.descriptor)],
  };
  if (manifest.layers.length !== config.rootfs.diff_ids.length) {
    throw invalidInput("the base image has a different number of layers and diff_ids");
  }
  const descriptor = await writeJsonBlob(layoutDir, manifest, mediaTypes.ociManifest);
  return { descriptor: { ...descriptor, platform }, manifest, config, platform };
}

/** Writes an OCI index over images of different platforms; returns its descriptor. */
export async function buildIndex(
  layoutDir: string,
  images: BuiltImage[],
  annotations?: Record<string, string>,
): Promise<Descriptor> {
  const seen = new Set<string>();
  for (const image of images) {
    const key = [image.platform.os, image.platform.architecture, image.platform.variant].join("/");
    if (seen.has(key)) throw invalidInput(`two images for the same platform ${key} in one index`);
    seen.add(key);
  }
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: images.map((i) => i.descriptor),
    ...(annotations ? { annotations } : {}),
  };
  return writeJsonBlob(layoutDir, index, mediaTypes.ociIndex);
}

function basePlatform(base: BaseImage | undefined, wanted: Platform | undefined): Platform {
  if (!base) {
    if (!wanted) throw invalidInput("an image without a base needs a platform");
    return wanted;
  }
  const { os, architecture, variant } = base.config;
  if (wanted && (wanted.os !== os || wanted.architecture !== architecture)) {
    throw invalidInput(`the base image is ${os}/${architecture}, not ${wanted.os}/${wanted.architecture}`);
  }
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** `KEY=value` lines with overrides applied in place and new keys appended in sorted order. */
function mergeEnv(base: string[], overrides: Record<string, string>): string[] {
  const keyOf = (line: string) => line.slice(0, line.indexOf("=") < 0 ? line.length : line.indexOf("="));
  const result = base.map((line) => {
    const key = keyOf(line);
    return key in overrides ? `${key}=${overrides[key]}` : line;
  });
  const present = new Set(base.map(keyOf));
  for (const key of Object.keys(overrides).sort())
    if (!present.has(key)) result.push(`${key}=${overrides[key]}`);
  return result;
}
