import { AppError } from "@swhub/shared/errors";
import { jobStates, submitBuildInputSchema, submitDockerizeInputSchema } from "@swhub/shared/jobs";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { submitDockerize } from "../services/dockerize-jobs";
import { followJobEvents } from "../services/job-follow";
import { cancelJob, getJob, type JobDeps, listJobs, retryJob, submitBuild } from "../services/jobs";
import { createTRPCRouter, protectedProcedure, publicProcedure, toTrpcError } from "../trpc";
import { pagingSchema, projectRefSchema } from "./schemas";

const jobRefSchema = z.object({ job: z.string().trim().min(1).max(20) });

export const listJobsInputSchema = pagingSchema.extend({
  project: projectRefSchema,
  state: z.enum(jobStates).optional(),
  kind: z.string().trim().min(1).max(100).optional(),
});

export const jobEventsInputSchema = jobRefSchema.extend({
  /** Resume after this seq. An EventSource sends it back by itself on reconnect (tRPC passes it as `lastEventId`). */
  lastEventId: z
    .string()
    .regex(/^\d{1,10}$/)
    .nullish(),
});

function requireJobDeps(deps: JobDeps | undefined): JobDeps {
  if (!deps) throw new AppError("internal", "The job queue is not configured on this server");
  return deps;
}

/**
 * Server jobs (builds, images, maintenance). Reading a job or its events needs the guest role in its project;
 * submitting, cancelling and retrying need maintainer. System jobs (no project) are for admins.
 */
export const jobRouter = createTRPCRouter({
  submitBuild: protectedProcedure
    .input(submitBuildInputSchema)
    .mutation(({ ctx, input }) =>
      submitBuild(ctx.db, requireJobDeps(ctx.jobs), { user: ctx.user, ...input }),
    ),

  /** An OCI image of a version, pushed to the server's registry (`runtime.dockerize`). */
  submitDockerize: protectedProcedure
    .input(submitDockerizeInputSchema)
    .mutation(({ ctx, input }) =>
      submitDockerize(ctx.db, requireJobDeps(ctx.jobs), { user: ctx.user, ...input }),
    ),

  list: publicProcedure
    .input(listJobsInputSchema)
    .query(({ ctx, input }) => listJobs(ctx.db, { user: ctx.user, ...input })),

  get: publicProcedure
    .input(jobRefSchema)
    .query(({ ctx, input }) => getJob(ctx.db, { user: ctx.user, ...input })),

  cancel: protectedProcedure
    .input(jobRefSchema)
    .mutation(({ ctx, input }) => cancelJob(ctx.db, requireJobDeps(ctx.jobs), { user: ctx.user, ...input })),

  retry: protectedProcedure
    .input(jobRefSchema)
    .mutation(({ ctx, input }) => retryJob(ctx.db, requireJobDeps(ctx.jobs), { user: ctx.user, ...input })),

  /**
   * The job's events over SSE (`httpSubscriptionLink`), each with its seq as the SSE id, from the start or after
   * `lastEventId`, until the job reaches a final state.
   */
  events: publicProcedure.input(jobEventsInputSchema).subscription(async function* ({ ctx, input, signal }) {
    const events = followJobEvents(ctx.db, requireJobDeps(ctx.jobs).bus, {
      user: ctx.user,
      job: input.job,
      afterSeq: input.lastEventId ? Number(input.lastEventId) : 0,
      signal,
    });
    try {
      for await (const event of events) yield tracked(String(event.seq), event);
    } catch (error) {
      throw toTrpcError(error);
    }
  }),
});
