import { blobDigestSchema } from "@swhub/shared/blob-protocol";
import { z } from "zod";
import { commitVersion } from "../services/runtime-commit";
import { copyVersion } from "../services/runtime-copy";
import { diffVersions } from "../services/runtime-diff";
import {
  getVersionInfo,
  listVersionFiles,
  listVersionTags,
  resolveRuntimeVersion,
} from "../services/runtime-info";
import { recoverRuntime, removeRuntime } from "../services/runtime-lifecycle";
import {
  listHistory,
  listRuntimes,
  listVersions,
  runtimeSorts,
  versionSorts,
} from "../services/runtime-lists";
import { addTags, removeTags } from "../services/runtime-tags";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";
import { pagingSchema, projectRefSchema, runtimeRefInputSchema } from "./schemas";

const tagsSchema = z.array(z.string().trim().min(1)).max(100);

export const commitInputSchema = z.object({
  project: projectRefSchema,
  name: z.string().trim().min(1, "Give a runtime name"),
  /** Must equal the bundle manifest's version when given. */
  version: z.string().trim().min(1).optional(),
  bundleDigest: blobDigestSchema,
  tags: tagsSchema.optional(),
  /** Replace an existing version, and move tags other versions hold. */
  force: z.boolean().optional(),
});

export const resolveInputSchema = runtimeRefInputSchema.extend({
  /** The reference was one word: it may be a version prefix when no runtime has that name. */
  bareWord: z.boolean().optional(),
  /** Resolve among removed versions (for recover). */
  removed: z.boolean().optional(),
});

export const historyInputSchema = pagingSchema.extend({
  project: projectRefSchema,
  name: z.string().trim().min(1),
  showRemoved: z.boolean().optional(),
});

export const listVersionsInputSchema = pagingSchema.extend({
  project: projectRefSchema,
  /** Runtime name prefix. */
  name: z.string().optional(),
  /** Who committed the version: a user name or id. */
  owner: z.string().optional(),
  /** Only each runtime's latest version. */
  latest: z.boolean().optional(),
  showRemoved: z.boolean().optional(),
  sort: z.enum(versionSorts).optional(),
});

export const listRuntimesInputSchema = pagingSchema.extend({
  project: projectRefSchema,
  name: z.string().optional(),
  /** The runtime's owner: a user name or id. */
  owner: z.string().optional(),
  showRemoved: z.boolean().optional(),
  sort: z.enum(runtimeSorts).optional(),
  order: z.enum(["asc", "desc"]).optional(),
});

export const filesInputSchema = runtimeRefInputSchema.extend(pagingSchema.shape);

export const tagAddInputSchema = runtimeRefInputSchema.extend({
  tags: tagsSchema,
  force: z.boolean().optional(),
});
export const tagRemoveInputSchema = runtimeRefInputSchema.extend({ tags: tagsSchema });

export const diffInputSchema = z.object({
  project: projectRefSchema,
  name: z.string().trim().min(1, "Give a runtime name").max(200),
  /** Each a full id, a 4+ character prefix, a tag, `latest` or `vN`. */
  from: z.string().trim().min(1, "Pick the version to compare from").max(200),
  to: z.string().trim().min(1, "Pick the version to compare to").max(200),
  /** Another runtime of the project for the `to` side. */
  toName: z.string().trim().min(1).max(200).optional(),
});

export const removeInputSchema = runtimeRefInputSchema.extend({
  /** Delete for good instead of a soft remove. */
  force: z.boolean().optional(),
});

export const copyInputSchema = z.object({
  from: runtimeRefInputSchema,
  to: z.object({ project: projectRefSchema, name: z.string().trim().min(1).optional() }),
  force: z.boolean().optional(),
  ignoreTags: tagsSchema.optional(),
});

/**
 * The runtime registry. Reads need the guest role (anyone, on a public project); writes need maintainer;
 * recover needs owner. A version reference is a full id, a 4+ character prefix, a tag, `latest` or `vN`.
 */
export const runtimeRouter = createTRPCRouter({
  commit: protectedProcedure
    .input(commitInputSchema)
    .mutation(({ ctx, input }) => commitVersion(ctx.db, ctx.blobs, { user: ctx.user, ...input })),

  resolve: publicProcedure
    .input(resolveInputSchema)
    .query(({ ctx, input }) => resolveRuntimeVersion(ctx.db, { user: ctx.user, ...input })),

  info: publicProcedure
    .input(runtimeRefInputSchema)
    .query(({ ctx, input }) => getVersionInfo(ctx.db, { user: ctx.user, ...input })),

  files: publicProcedure
    .input(filesInputSchema)
    .query(({ ctx, input }) => listVersionFiles(ctx.db, { user: ctx.user, ...input })),

  history: publicProcedure
    .input(historyInputSchema)
    .query(({ ctx, input }) => listHistory(ctx.db, { user: ctx.user, ...input })),

  /** Versions across runtimes (swcli `list`). */
  listVersions: publicProcedure
    .input(listVersionsInputSchema)
    .query(({ ctx, input }) => listVersions(ctx.db, { user: ctx.user, ...input })),

  /** One row per runtime with its latest version (the console). */
  list: publicProcedure
    .input(listRuntimesInputSchema)
    .query(({ ctx, input }) => listRuntimes(ctx.db, { user: ctx.user, ...input })),

  /** Added, removed, upgraded and downgraded packages and environment changes between two versions. */
  diff: publicProcedure
    .input(diffInputSchema)
    .query(({ ctx, input }) => diffVersions(ctx.db, { user: ctx.user, ...input })),

  tags: publicProcedure
    .input(runtimeRefInputSchema)
    .query(({ ctx, input }) => listVersionTags(ctx.db, { user: ctx.user, ...input })),

  tagAdd: protectedProcedure
    .input(tagAddInputSchema)
    .mutation(({ ctx, input }) => addTags(ctx.db, { user: ctx.user, ...input })),

  tagRemove: protectedProcedure
    .input(tagRemoveInputSchema)
    .mutation(({ ctx, input }) => removeTags(ctx.db, { user: ctx.user, ...input })),

  remove: protectedProcedure
    .input(removeInputSchema)
    .mutation(({ ctx, input }) => removeRuntime(ctx.db, { user: ctx.user, ...input })),

  recover: protectedProcedure
    .input(runtimeRefInputSchema)
    .mutation(({ ctx, input }) => recoverRuntime(ctx.db, { user: ctx.user, ...input })),

  copy: protectedProcedure
    .input(copyInputSchema)
    .mutation(({ ctx, input }) => copyVersion(ctx.db, { user: ctx.user, ...input })),
});
