import type { Database } from "@swhub/db/client";
import { type AppErrorCode, isAppError } from "@swhub/shared/errors";
import { initTRPC, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { ZodError } from "zod";
import { readCookie, serializeCookie } from "./cookies";
import { getApiTokenUser } from "./services/api-tokens";
import { getSessionUser, sessionCookieName } from "./services/sessions";
import type { SessionUser } from "./services/users";

export interface CreateContextOptions {
  db: Database;
  /** The request's headers: the session cookie or `Authorization: Bearer <api token>` are read from them. */
  headers: Headers;
  /** The response's headers, where procedures set cookies. */
  resHeaders?: Headers;
  /** Mark cookies Secure (the console is served over https). */
  secureCookies?: boolean;
}

export async function createContext(options: CreateContextOptions) {
  const { db, headers } = options;
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1]?.trim();
  const sessionToken = bearer ? undefined : readCookie(headers.get("cookie"), sessionCookieName);
  let user: SessionUser | null = null;
  if (bearer) user = await getApiTokenUser(db, bearer);
  else if (sessionToken) user = await getSessionUser(db, sessionToken);
  const resHeaders = options.resHeaders ?? new Headers();
  return {
    db,
    user,
    sessionToken,
    /** Why there is no user although credentials were sent, for a precise error. */
    authProblem:
      bearer && !user ? ("token" as const) : sessionToken && !user ? ("session" as const) : undefined,
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
    const cause = error.cause;
    // Stack traces stay in the server's log.
    const { stack: _stack, ...data } = shape.data;
    if (isAppError(cause)) {
      const code = trpcCodes[cause.code];
      return {
        message: cause.message,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        data: {
          ...data,
          code,
          httpStatus: getHTTPStatusCodeFromError(new TRPCError({ code })),
          appCode: cause.code,
          hint: cause.hint,
        },
      };
    }
    if (cause instanceof ZodError) {
      // One readable line instead of the raw issue list: "name: Too small: expected string to have >=1 characters".
      const message = cause.issues
        .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
        .join("; ");
      return { ...shape, message, data: { ...data, appCode: "invalid_input" as AppErrorCode } };
    }
    if (error.code === "INTERNAL_SERVER_ERROR") {
      // Unexpected failures are logged by the server; users get no internals.
      return { ...shape, message: "Internal error", data };
    }
    return { ...shape, data };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure;

/** Needs a signed-in user (session cookie or API token); `ctx.user` is then set. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
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
