import { appErrorStatus, HttpAppError, toAppError } from "../errors";
import { BodyInterrupted } from "../services/upload-chunks";

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

/**
 * The one place where errors of the plain HTTP routes become responses: an AppError answers with its status (or
 * the protocol status an HttpAppError names) and `{error: {code, message, hint}}`; anything else is a 500 whose
 * details stay in the server's log.
 */
export function errorResponse(error: unknown): Response {
  const appError = toAppError(error);
  if (appError) {
    const status = appError instanceof HttpAppError ? appError.status : appErrorStatus[appError.code];
    const headers = appError instanceof HttpAppError ? appError.headers : {};
    const body = {
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.hint ? { hint: appError.hint } : {}),
      },
    };
    return json(body, status, headers);
  }
  if (error instanceof BodyInterrupted) {
    // The client is most likely gone; what arrived was kept.
    return json(
      { error: { code: "invalid_input", message: `The upload was interrupted: ${error.message}` } },
      400,
    );
  }
  console.error("blob route failed:", error);
  return json({ error: { code: "internal", message: "Internal error" } }, 500);
}
