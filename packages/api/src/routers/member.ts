import { z } from "zod";
import { addMember, listMembers, removeMember, setMemberRole } from "../services/members";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";
import { projectInputSchema, projectRefSchema, roleSchema } from "./schemas";

export const memberInputSchema = z.object({
  project: projectRefSchema,
  userName: z.string().trim().min(1, "Give a user name"),
});
export const memberRoleInputSchema = memberInputSchema.extend({ role: roleSchema });

/** Members of a project. Anyone who can read the project sees them; owners (and admins) change them. */
export const memberRouter = createTRPCRouter({
  list: publicProcedure
    .input(projectInputSchema)
    .query(({ ctx, input }) => listMembers(ctx.db, { user: ctx.user, project: input.project })),

  add: protectedProcedure
    .input(memberRoleInputSchema)
    .mutation(({ ctx, input }) => addMember(ctx.db, { user: ctx.user, ...input })),

  setRole: protectedProcedure
    .input(memberRoleInputSchema)
    .mutation(({ ctx, input }) => setMemberRole(ctx.db, { user: ctx.user, ...input })),

  remove: protectedProcedure
    .input(memberInputSchema)
    .mutation(({ ctx, input }) => removeMember(ctx.db, { user: ctx.user, ...input })),
});
