import { listProjects } from "../services/projects";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const projectRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listProjects(ctx.db, { user: ctx.user })),
});
