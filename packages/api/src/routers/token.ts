import { z } from "zod";
import { createOwnApiToken, listApiTokens, revokeOwnApiToken } from "../services/api-tokens";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const createTokenInputSchema = z.object({
  name: z.string().trim().min(1, "Name the token after where it is used").max(100),
  /** When it stops working; none means never. */
  expiresAt: z.date().nullish(),
});

/** API tokens of the signed-in user, for swcli and CI. The secret is returned once, by `create`. */
export const tokenRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createTokenInputSchema)
    .mutation(({ ctx, input }) => createOwnApiToken(ctx.db, { user: ctx.user, ...input })),

  list: protectedProcedure.query(({ ctx }) => listApiTokens(ctx.db, { user: ctx.user })),

  revoke: protectedProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeOwnApiToken(ctx.db, { user: ctx.user, tokenId: input.id })),
});
