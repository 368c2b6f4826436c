import { z } from "zod";

/** Media types we write (OCI) and the Docker ones we also accept on read. */
export const mediaTypes = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export const manifestMediaTypes: readonly string[] = [mediaTypes.ociManifest, mediaTypes.dockerManifest];
export const indexMediaTypes: readonly string[] = [mediaTypes.ociIndex, mediaTypes.dockerManifestList];
/** The Accept header for manifest reads: every kind we can use. */
export const manifestAccept = [...manifestMediaTypes, ...indexMediaTypes].join(", ");

const digestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex digits>");

export const platformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  "os.version": z.string().optional(),
  "os.features": z.array(z.string()).optional(),
});
export type Platform = z.infer<typeof platformSchema>;

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof indexSchema>;

const historySchema = z.object({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});
export type HistoryEntry = z.infer<typeof historySchema>;

/** The image config (OCI image spec "config.json"); unknown fields are kept as they are. */
export const imageConfigSchema = z.looseObject({
  created: z.string().optional(),
  author: z.string().optional(),
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  config: z
    .looseObject({
      User: z.string().optional(),
      Env: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullish(),
      ExposedPorts: z.record(z.string(), z.object({})).nullish(),
      Volumes: z.record(z.string(), z.object({})).nullish(),
      StopSignal: z.string().optional(),
    })
    .optional(),
  rootfs: z.object({ type: z.literal("layers"), diff_ids: z.array(digestSchema) }),
  history: z.array(historySchema).optional(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && indexMediaTypes.includes(mediaType);
}

/** `linux/amd64`, `linux/arm64/v8`: the short form users type and errors print. */
export function formatPlatform(p: Pick<Platform, "os" | "architecture" | "variant">): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** Accepts `amd64`, `linux/arm64`, `linux/arm/v7`. */
export function parsePlatform(text: string): Platform {
  const parts = text.split("/");
  if (parts.length === 1) return { os: "linux", architecture: parts[0]! };
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}
