import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { authRouter } from "./routers/auth";
import { blobRouter } from "./routers/blob";
import { jobRouter } from "./routers/job";
import { memberRouter } from "./routers/member";
import { projectRouter } from "./routers/project";
import { runtimeRouter } from "./routers/runtime";
import { tokenRouter } from "./routers/token";
import { userRouter } from "./routers/user";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  token: tokenRouter,
  user: userRouter,
  project: projectRouter,
  member: memberRouter,
  runtime: runtimeRouter,
  blob: blobRouter,
  job: jobRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures in-process (React Server Components, tests) with a context from `createContext`. */
export const createCaller = createCallerFactory(appRouter);
