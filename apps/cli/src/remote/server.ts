import type { AppRouter } from "@swhub/api/root";
import { AppError } from "@swhub/shared/errors";
import {
  createTRPCClient,
  type HTTPLinkOptions,
  httpLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import superjson from "superjson";
import {
  isAppError,
  isAppErrorCode,
  loginAgain,
  networkReason,
  notASwhubServer,
  unreachable,
} from "./errors";
import { httpFetch, type JsonResponse } from "./raw-http";

/**
 * A connection to one server instance: its tRPC API, typed by the server's `AppRouter` (a type-only import, so no
 * server code is bundled), and the credentials every request carries.
 */
export interface ServerConnection {
  /** The alias in the config; the URL while logging in. */
  readonly alias: string;
  /** The server's origin, e.g. `https://hub.example.com`. */
  readonly url: string;
  readonly trpc: TRPCClient<AppRouter>;
  /** Headers for requests made outside tRPC (the blob routes). */
  authHeaders(): Record<string, string>;
  /** Runs tRPC calls, turning every failure into one clear `AppError`. */
  call<T>(fn: (trpc: TRPCClient<AppRouter>) => Promise<T>): Promise<T>;
  /** The same mapping for errors of other requests to this server. */
  fail(error: unknown): never;
}

export interface ConnectOptions {
  alias: string;
  url: string;
  /** An API token, sent as `Authorization: Bearer`. */
  token?: string;
  /** Keep the session cookie the server sets (password login) and send it back. */
  cookies?: boolean;
  signal?: AbortSignal;
}

export function connectServer(options: ConnectOptions): ServerConnection {
  const { alias, url } = options;
  let cookie: string | undefined;
  const authHeaders = (): Record<string, string> => ({
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(cookie ? { cookie } : {}),
  });

  const fetchWith: NonNullable<HTTPLinkOptions<AppRouter["_def"]["_config"]["$types"]>["fetch"]> = async (
    input,
    init,
  ) => {
    let response: JsonResponse;
    try {
      response = await httpFetch(input, { ...init, signal: init?.signal ?? options.signal });
    } catch (error) {
      const reason = networkReason(error);
      throw reason ? unreachable(url, reason) : error;
    }
    if (options.cookies) {
      const session = response.setCookies.find((c) => c.startsWith("sw_session="));
      if (session) cookie = session.split(";")[0];
    }
    const type = response.header("content-type") ?? "";
    if (!type.includes("json")) {
      throw notASwhubServer(url, `HTTP ${response.status} ${type.split(";")[0] || "without a content type"}`);
    }
    return response;
  };

  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/api/trpc`,
        transformer: superjson,
        headers: authHeaders,
        fetch: fetchWith,
      }),
    ],
  });

  const fail = (error: unknown): never => {
    throw toAppError(error, { alias, url, signedIn: Boolean(options.token) });
  };
  return {
    alias,
    url,
    trpc,
    authHeaders,
    fail,
    call: (fn) => fn(trpc).catch(fail),
  };
}

/** A server error as the user should read it. */
export function toAppError(
  error: unknown,
  server: { alias: string; url: string; signedIn: boolean },
): AppError | Error {
  if (isAppError(error)) return error;
  if (error instanceof TRPCClientError) {
    if (isAppError(error.cause)) return error.cause;
    const data = error.data as { appCode?: unknown; hint?: unknown; httpStatus?: number } | undefined;
    const hint = typeof data?.hint === "string" ? data.hint : undefined;
    if (data?.appCode === "unauthenticated" && server.signedIn) {
      return loginAgain(server.alias, server.url, error.message);
    }
    if (isAppErrorCode(data?.appCode)) return new AppError(data.appCode, error.message, hint);
    if (data?.httpStatus) return new AppError("internal", `${server.url}: ${error.message}`);
    const reason = networkReason(error.cause ?? error);
    if (reason) return unreachable(server.url, reason);
    if (error.cause instanceof Error && error.cause.name === "AbortError") return error.cause;
    return notASwhubServer(server.url, error.message.split("\n", 1)[0] ?? "");
  }
  const reason = networkReason(error);
  if (reason) return unreachable(server.url, reason);
  return error instanceof Error ? error : new Error(String(error));
}
