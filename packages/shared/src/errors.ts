/**
 * The one error type of the product. Services throw it; each surface maps it once:
 * tRPC's errorFormatter, the CLI's exit code, the worker's UnrecoverableError.
 */
export const appErrorCodes = [
  "not_found",
  "forbidden",
  "conflict",
  "invalid_input",
  "unauthenticated",
  "internal",
] as const;

export type AppErrorCode = (typeof appErrorCodes)[number];

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** A short next step for the user, shown under the message by the CLI. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof AppError || (error instanceof Error && error.name === "AppError" && "code" in error)
  );
}

/** Shorthands keep call sites to one line. */
export const notFound = (message: string, hint?: string) => new AppError("not_found", message, hint);
export const invalidInput = (message: string, hint?: string) => new AppError("invalid_input", message, hint);
export const conflict = (message: string, hint?: string) => new AppError("conflict", message, hint);
export const forbidden = (message: string, hint?: string) => new AppError("forbidden", message, hint);
