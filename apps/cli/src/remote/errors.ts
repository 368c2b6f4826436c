import { AppError, type AppErrorCode, appErrorCodes, isAppError } from "@swhub/shared/errors";

/**
 * Failures talking to a server, as one-line `AppError`s: the server's own message and hint when it answered, a
 * plain reason when it could not be reached or did not answer like a swhub server.
 */

const networkReasons: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS)",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate is for another host",
};

/** The reason a request failed before any answer came, e.g. `connection refused`; undefined for other errors. */
export function networkReason(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && networkReasons[code]) return networkReasons[code];
    if (e.name === "AbortError") return undefined;
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) return "the request failed";
  return undefined;
}

export function unreachable(server: string, reason: string): AppError {
  return new AppError(
    "invalid_input",
    `can't reach the server at ${server}: ${reason}`,
    "check the URL and that the server is running",
  );
}

export function notASwhubServer(server: string, detail: string): AppError {
  return new AppError(
    "invalid_input",
    `${server} did not answer like a swhub server (${detail})`,
    "check the URL: give the console's address, e.g. https://hub.example.com",
  );
}

export const isAppErrorCode = (code: unknown): code is AppErrorCode =>
  typeof code === "string" && (appErrorCodes as readonly string[]).includes(code);

/** The message for an expired or revoked token, which every command can meet. */
export function loginAgain(alias: string, server: string, message: string): AppError {
  return new AppError(
    "unauthenticated",
    `${alias}: ${message}`,
    `log in again: swcli instance login ${server} --alias ${alias}`,
  );
}

export { isAppError };
