import { z } from "zod";
import { createSession, deleteSession } from "../services/sessions";
import { verifyPassword } from "../services/users";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const signInInputSchema = z.object({
  name: z.string().trim().min(1, "Enter your user name"),
  password: z.string().min(1, "Enter your password"),
});
export type SignInInput = z.infer<typeof signInInputSchema>;

export const authRouter = createTRPCRouter({
  /** The signed-in user, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.user),

  signIn: publicProcedure.input(signInInputSchema).mutation(async ({ ctx, input }) => {
    const user = await verifyPassword(ctx.db, input);
    const session = await createSession(ctx.db, { userId: user.id });
    ctx.setSessionCookie(session.token, session.expiresAt);
    return user;
  }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await deleteSession(ctx.db, ctx.sessionToken);
    ctx.clearSessionCookie();
    return { ok: true };
  }),
});
