import type { Database } from "@swhub/db/client";
import type { AppErrorCode } from "@swhub/shared/errors";
import { initTRPC, TRPCError } from "@trpc/server";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError } from "zod";
import { authenticate } from "./auth";
import type { BlobStore } from "./blobs/store";
import { serializeCookie } from "./cookies";
import { appErrorStatus, toAppError } from "./errors";
import type { JobDeps } from "./services/jobs";
import { sessionCookieName } from "./services/sessions";

export interface CreateContextOptions {
  db: Database;
  /** Where blob bytes live (bundles are read from it when a version is committed). */
  blobs: BlobStore;
  /** The request's headers: the session cookie or `Authorization: Bearer <api token>` are read from them. */
  headers: Headers;
  /** The response's headers, where procedures set cookies. */
  resHeaders?: Headers;
  /** Mark cookies Secure (the console is served over https). */
  secureCookies?: boolean;
  /** The job queue and event bus; without them the `job` procedures that need them answer an internal error. */
  jobs?: JobDeps;
}

export async function createContext(options: CreateContextOptions) {
  const { db, headers } = options;
  const { user, sessionToken, authProblem } = await authenticate(db, headers);
  const resHeaders = options.resHeaders ?? new Headers();
  return {
    db,
    blobs: options.blobs,
    jobs: options.jobs,
    user,
    sessionToken,
    /** Why there is no user although credentials were sent, for a precise error. */
    authProblem,
    resHeaders,
    setSessionCookie(token: string, expires: Date) {
      resHeaders.append(
        "set-cookie",
        serializeCookie(sessionCookieName, token, { expires, secure: !!options.secureCookies }),
      );
    },
    clearSessionCookie() {
      resHeaders.append(
        "set-cookie",
        serializeCookie(sessionCookieName, "", { expires: new Date(0), secure: !!options.secureCookies }),
      );
    },
  };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

/** The one place where the product's error codes become tRPC (and so HTTP) codes. */
const trpcCodes: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  conflict: "CONFLICT",
  invalid_input: "BAD_REQUEST",
  unauthenticated: "UNAUTHORIZED",
  internal: "INTERNAL_SERVER_ERROR",
};

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = toAppError(error.cause);
    // Stack traces stay in the server's log.
    const { stack: _stack, ...data } = shape.data;
    if (cause) {
      const code = trpcCodes[cause.code];
      return {
        message: cause.message,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        data: {
          ...data,
          code,
          httpStatus: appErrorStatus[cause.code],
          appCode: cause.code,
          hint: cause.hint,
        },
      };
    }
    if (error.cause instanceof ZodError) {
      // One readable line instead of the raw issue list: "name: Too small: expected string to have >=1 characters".
      const message = error.cause.issues
        .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
        .join("; ");
      return { ...shape, message, data: { ...data, appCode: "invalid_input" as AppErrorCode } };
    }
    if (error.code === "INTERNAL_SERVER_ERROR") {
      // Unexpected failures are logged by the server; users get no internals.
      return { ...shape, message: "Internal error", data };
    }
    const appCode = (Object.keys(trpcCodes) as AppErrorCode[]).find((k) => trpcCodes[k] === error.code);
    return { ...shape, data: { ...data, ...(appCode ? { appCode } : {}) } };
  },
});

/**
 * An AppError as the tRPC error of its code; anything else unchanged. For errors thrown where the middleware can't
 * map them: inside a subscription's stream, after the procedure returned.
 */
export function toTrpcError(error: unknown): unknown {
  const appError = toAppError(error);
  return appError
    ? new TRPCError({ code: trpcCodes[appError.code], message: appError.message, cause: appError })
    : error;
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every procedure: an API token that is unknown, revoked or expired is refused with 401 even where anonymous
 * callers are welcome (a client that sends a token means to act as its user), and an AppError becomes the tRPC
 * error of its code, so in-process callers see the same code as HTTP clients.
 */
const baseProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.authProblem === "token") {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "The API token is invalid, expired or revoked" });
  }
  const result = await next();
  if (!result.ok) {
    const appError = toAppError(result.error.cause);
    if (appError)
      throw new TRPCError({ code: trpcCodes[appError.code], message: appError.message, cause: appError });
  }
  return result;
});

/** Anyone, signed in or not; services decide what anonymous callers may see (public projects). */
export const publicProcedure = baseProcedure;

/** Needs a signed-in user (session cookie or API token); `ctx.user` is then set. */
export const protectedProcedure = baseProcedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    const message =
      ctx.authProblem === "token"
        ? "The API token is invalid, expired or revoked"
        : ctx.authProblem === "session"
          ? "Your session has expired; sign in again"
          : "Sign in first";
    throw new TRPCError({ code: "UNAUTHORIZED", message });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});
