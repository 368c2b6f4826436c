import { z } from "zod";

/**
 * The objects of Starwhale's server API (`/api/v1`) as Starwhale's own `swcli` 0.6.15 validates them (its pydantic
 * models; spec `starwhale-api.md` §4). Every field the client requires is required here and may not be null; the
 * optional ones may be left out. Our compatibility routes build these objects, and their tests check answers
 * against these schemas, as the client would.
 *
 * Ids are strings and times are epoch milliseconds, as the real server sends them.
 */

const id = z.string().min(1);
const epochMs = z.number().int().nonnegative();

export const userVoSchema = z.object({
  id,
  name: z.string(),
  createdTime: epochMs,
  isEnabled: z.boolean(),
  systemRole: z.string().optional(),
  /** Project id → role (`OWNER`, `MAINTAINER`, `GUEST`). */
  projectRoles: z.record(z.string(), z.string()).optional(),
});
export type UserVo = z.infer<typeof userVoSchema>;

export const projectStatisticsSchema = z.object({
  modelCounts: z.number().int(),
  datasetCounts: z.number().int(),
  runtimeCounts: z.number().int(),
  memberCounts: z.number().int(),
  evaluationCounts: z.number().int(),
});

export const projectVoSchema = z.object({
  id,
  name: z.string(),
  /** `PUBLIC` or `PRIVATE`. */
  privacy: z.enum(["PUBLIC", "PRIVATE"]),
  createdTime: epochMs,
  owner: userVoSchema,
  description: z.string().optional(),
  statistics: projectStatisticsSchema.optional(),
});
export type ProjectVo = z.infer<typeof projectVoSchema>;

export const runtimeVersionVoSchema = z.object({
  id,
  runtimeId: id,
  /** The full version name. */
  name: z.string().min(1),
  /** `vN`. */
  alias: z.string(),
  latest: z.boolean(),
  /** The image the runtime runs in (may be empty). */
  image: z.string(),
  createdTime: epochMs,
  shared: z.boolean(),
  /** User tags (not `latest`, not `vN`). */
  tags: z.array(z.string()).optional(),
  /** `_manifest.yaml` as YAML text. */
  meta: z.string().optional(),
  builtImage: z.string().optional(),
  owner: userVoSchema.optional(),
});
export type RuntimeVersionVo = z.infer<typeof runtimeVersionVoSchema>;

export const runtimeVoSchema = z.object({
  id,
  name: z.string().min(1),
  createdTime: epochMs,
  owner: userVoSchema,
  /** The newest version. */
  version: runtimeVersionVoSchema,
});
export type RuntimeVo = z.infer<typeof runtimeVoSchema>;

export const runtimeInfoVoSchema = z.object({
  id,
  name: z.string().min(1),
  versionId: id,
  versionName: z.string().min(1),
  versionAlias: z.string(),
  /** `_manifest.yaml` as YAML text (may be empty). */
  manifest: z.string(),
  shared: z.boolean(),
  createdTime: epochMs,
  versionInfo: runtimeVersionVoSchema,
  versionTag: z.string().optional(),
  versionMeta: z.string().optional(),
  files: z.array(z.object({ name: z.string(), size: z.string() })).optional(),
});
export type RuntimeInfoVo = z.infer<typeof runtimeInfoVoSchema>;

/**
 * A page as Java's PageHelper writes it. The client needs `total` and `size` (the rows on this page) for its pager
 * arithmetic; history reads every pager field.
 */
export function pageInfoSchema<T extends z.ZodType>(item: T) {
  return z.object({
    total: z.number().int().nonnegative(),
    size: z.number().int().nonnegative(),
    list: z.array(item),
    pageNum: z.number().int(),
    pageSize: z.number().int(),
    pages: z.number().int(),
    prePage: z.number().int(),
    nextPage: z.number().int(),
    hasPreviousPage: z.boolean(),
    hasNextPage: z.boolean(),
    startRow: z.number().int(),
    endRow: z.number().int(),
    isFirstPage: z.boolean(),
    isLastPage: z.boolean(),
    navigatePages: z.number().int(),
    navigatepageNums: z.array(z.number().int()),
    navigateFirstPage: z.number().int(),
    navigateLastPage: z.number().int(),
  });
}
export type PageInfo<T> = Omit<z.infer<ReturnType<typeof pageInfoSchema>>, "list"> & { list: T[] };

/** `code` is the exact string `success` when the call worked; anything else is an error named by `message`. */
export const SUCCESS_CODE = "success";

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({ code: z.string(), message: z.string(), data });
}
export interface Envelope<T> {
  code: string;
  message: string;
  data: T;
}
