import { z } from "zod";

/**
 * The standalone store's tag index, `<project>/runtime/<name>/_manifest.yaml` (spec §3.6):
 * `tags` maps tag → version and `versions` maps version → {tag: true}. `fast_tag_seq` is the last `vN` handed
 * out, so numbers are never reused after a removal.
 */
export const tagManifestSchema = z
  .object({
    name: z.string(),
    typ: z.string().default("runtime"),
    fast_tag_seq: z.number().int().default(-1),
    tags: z
      .record(z.string(), z.string())
      .nullish()
      .transform((v) => v ?? {}),
    versions: z
      .record(
        z.string(),
        z
          .record(z.string(), z.boolean())
          .nullish()
          .transform((v) => v ?? {}),
      )
      .nullish()
      .transform((v) => v ?? {}),
    updated_at: z.string().optional(),
  })
  .passthrough();

export type TagManifest = z.output<typeof tagManifestSchema>;
