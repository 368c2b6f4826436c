import { z } from "zod";
import { collectGarbageAsAdmin } from "../services/blobs";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const gcInputSchema = z.object({
  /** Only what is older than this is collected, so uploads and commits in flight are safe. */
  olderThanSeconds: z.number().int().min(0).default(3600),
  dryRun: z.boolean().optional(),
});

/**
 * Blob maintenance. The transfer itself (missing, upload, download) is plain HTTP, described in
 * `@swhub/shared/blob-protocol`.
 */
export const blobRouter = createTRPCRouter({
  gc: protectedProcedure
    .input(gcInputSchema)
    .mutation(({ ctx, input }) => collectGarbageAsAdmin(ctx.db, ctx.blobs, { user: ctx.user, ...input })),
});
