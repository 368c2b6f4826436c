import { AppError, type AppErrorCode, conflict, isAppError } from "@swhub/shared/errors";

/** The HTTP status of each error code: the one table both tRPC and the plain HTTP routes answer from. */
export const appErrorStatus: Record<AppErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  invalid_input: 400,
  unauthenticated: 401,
  internal: 500,
};

/**
 * An AppError that also names its own HTTP status and headers, for the blob routes' protocol answers that no
 * generic code covers (416 with the current offset, 413). tRPC, which never sees them, goes by `code`.
 */
export class HttpAppError extends AppError {
  constructor(
    code: AppErrorCode,
    message: string,
    readonly status: number,
    readonly headers: Record<string, string> = {},
    hint?: string,
  ) {
    super(code, message, hint);
  }
}

/** Walks an error's causes for a Postgres SQLSTATE (postgres.js sets `code`; drizzle wraps it as `cause`). */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === "23503";

/**
 * What a surface shows for an error: the AppError itself, or a conflict for a unique violation that slipped past
 * the service's own checks (the database is the last line of defence against races). Undefined means unexpected.
 */
export function toAppError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (isUniqueViolation(error)) return conflict("Someone changed this at the same time; try again");
  return undefined;
}
