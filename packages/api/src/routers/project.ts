import { z } from "zod";
import { createProject, getProject, listProjects, removeProject, updateProject } from "../services/projects";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";
import { pagingSchema, projectInputSchema, projectRefSchema } from "./schemas";

export const listProjectsInputSchema = pagingSchema.extend({ name: z.string().optional() }).optional();

export const createProjectInputSchema = z.object({
  name: z.string().trim().min(1, "Give a project name"),
  isPublic: z.boolean().optional(),
  description: z.string().max(2000).optional(),
});

export const updateProjectInputSchema = z.object({
  project: projectRefSchema,
  isPublic: z.boolean().optional(),
  description: z.string().max(2000).optional(),
});

export const projectRouter = createTRPCRouter({
  /** Projects the caller can see (public ones for anonymous callers), by name, paged. */
  list: publicProcedure
    .input(listProjectsInputSchema)
    .query(({ ctx, input }) => listProjects(ctx.db, { user: ctx.user, ...input })),

  /** Any signed-in user may create a project; they become its owner. */
  create: protectedProcedure
    .input(createProjectInputSchema)
    .mutation(({ ctx, input }) => createProject(ctx.db, { ...input, ownerId: ctx.user.id })),

  get: publicProcedure
    .input(projectInputSchema)
    .query(({ ctx, input }) => getProject(ctx.db, { user: ctx.user, project: input.project })),

  update: protectedProcedure
    .input(updateProjectInputSchema)
    .mutation(({ ctx, input }) => updateProject(ctx.db, { user: ctx.user, ...input })),

  remove: protectedProcedure
    .input(projectInputSchema)
    .mutation(({ ctx, input }) => removeProject(ctx.db, { user: ctx.user, project: input.project })),
});
