import { inspect } from "node:util";
import { isAppError } from "@swhub/shared/errors";

/** What the shell sees. 2 covers everything "the command line can't run": bad usage and unbuilt commands. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** The command line is wrong: unknown option, bad choice, missing argument, options that exclude each other. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    /** The command's usage line, e.g. `swcli runtime build [options]`; filled in by the command that failed. */
    public usage?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Thrown by handlers that are declared but not written yet. */
export class NotImplemented extends Error {
  override readonly name = "NotImplemented";
  constructor(readonly command: string) {
    super(`swcli ${command}: not implemented yet`);
  }
}

export interface TextSink {
  write(text: string): unknown;
}

/**
 * The one place errors become text and an exit code. Users never see a stack trace unless they ask with -v.
 */
export function renderError(error: unknown, stderr: TextSink, verbosity: number): number {
  if (error instanceof UsageError) {
    stderr.write(`error: ${error.message}\n`);
    if (error.usage) stderr.write(`usage: ${error.usage}\n`);
    if (error.hint) stderr.write(`hint: ${error.hint}\n`);
    return exitCodes.usage;
  }
  if (error instanceof NotImplemented) {
    stderr.write(`${error.message}\n`);
    return exitCodes.usage;
  }
  if (isAppError(error)) {
    stderr.write(`error: ${error.message}\n`);
    if (error.hint) stderr.write(`hint: ${error.hint}\n`);
    if (verbosity > 0) stderr.write(`${inspect(error)}\n`);
    return exitCodes.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error: internal error: ${firstLine(message)}\n`);
  if (verbosity > 0) stderr.write(`${inspect(error)}\n`);
  return exitCodes.failed;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0]?.trim();
  return line || "(no message)";
}
