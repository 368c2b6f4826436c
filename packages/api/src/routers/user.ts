import { z } from "zod";
import { createUserAsAdmin } from "../services/users";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const createUserInputSchema = z.object({
  name: z.string().trim().min(1, "Give a user name"),
  password: z.string().min(1, "Give a password"),
  isAdmin: z.boolean().optional(),
});

export const userRouter = createTRPCRouter({
  /** Administrators create accounts (there is no self sign-up). */
  create: protectedProcedure
    .input(createUserInputSchema)
    .mutation(({ ctx, input }) => createUserAsAdmin(ctx.db, { user: ctx.user, ...input })),
});
