import type { AppErrorCode } from "@swhub/shared/errors";
import { SUCCESS_CODE } from "@swhub/shared/starwhale-api";
import { appErrorStatus, HttpAppError, toAppError } from "../errors";

/** Starwhale's error codes for ours; the client shows `message` and only compares `code` with `success`. */
const starwhaleCodes: Record<AppErrorCode, string> = {
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  conflict: "CONFLICT",
  invalid_input: "BAD_REQUEST",
  unauthenticated: "UNAUTHORIZED",
  internal: "INTERNAL_ERROR",
};

function envelope(
  code: string,
  message: string,
  data: unknown,
  status: number,
  headers: Record<string, string> = {},
) {
  return Response.json(
    { code, message, data },
    { status, headers: { "cache-control": "no-store", ...headers } },
  );
}

/** `{code: "success", message: "Success", data}` with HTTP 200: what every family of the client takes as success. */
export function success(data: unknown, headers: Record<string, string> = {}): Response {
  return envelope(SUCCESS_CODE, "Success", data, 200, headers);
}

/**
 * The one place where errors of the compatibility routes become answers: the status of the AppError's code and a
 * JSON envelope whose `message` the client prints (with the hint, since it shows nothing else). Anything unexpected
 * is a 500 whose details stay in the server's log; it is still JSON, which the client needs.
 */
export function failure(error: unknown): Response {
  const appError = toAppError(error);
  if (appError) {
    const status = appError instanceof HttpAppError ? appError.status : appErrorStatus[appError.code];
    const message = appError.hint ? `${appError.message} (${appError.hint})` : appError.message;
    const headers = appError instanceof HttpAppError ? appError.headers : {};
    return envelope(starwhaleCodes[appError.code], message, null, status, headers);
  }
  console.error("/api/v1 route failed:", error);
  return envelope(starwhaleCodes.internal, "Internal error", null, 500);
}
