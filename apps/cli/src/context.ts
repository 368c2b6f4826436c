import type { CommandContext, Invocation } from "./command";
import { loadConfig } from "./config";
import { readEnv } from "./env";
import type { TextSink } from "./errors";
import { createOutput } from "./output/output";
import { type CliProgress, createBarProgress, createLineProgress } from "./output/progress";
import type { GlobalOptions } from "./program";
import { confirm } from "./prompt";

/** The streams and signals of the process (or of a test). */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Ctrl-C seen by a prompt on a raw-mode terminal, where it is not a signal. */
  onInterrupt(): void;
  /** The environment; defaults to the process's. */
  env?: Record<string, string | undefined>;
}

export interface Session {
  readonly ctx: CommandContext;
  close(ok: boolean): void;
}

/**
 * Builds a handler's context. Loaded only for commands that run, so `--help`, `--version` and usage errors
 * never pay for zod, yaml, the table or progress libraries.
 */
export async function createContext(
  invocation: Invocation,
  globals: GlobalOptions,
  io: CliIo,
): Promise<Session> {
  const env = readEnv(io.env);
  const config = loadConfig(env);
  const json = globals.output === "json";

  // Progress is not the result, so it always goes to stderr (`swcli … > file` captures only the result): bars on a
  // terminal, plain lines otherwise. When stdout is the same terminal, the command's lines print above the bars.
  let progress: CliProgress;
  let stdout: TextSink = io.stdout;
  if (!json && io.stderr.isTTY && isWriteStream(io.stderr)) {
    const { MultiBar } = await import("cli-progress");
    const bars = createBarProgress(MultiBar, io.stderr);
    if (io.stdout.isTTY) stdout = { write: (text) => bars.writeAbove(text) };
    progress = bars;
  } else {
    progress = createLineProgress(io.stderr);
  }

  const { default: Table } = await import("cli-table3");
  const output = createOutput({ json, verbosity: globals.verbose, stdout, stderr: io.stderr, Table });
  for (const notice of config.notices) output.notice(notice);

  const ctx: CommandContext = {
    command: invocation.command,
    config,
    output,
    progress,
    env,
    signal: io.signal,
    confirm: async (question, assumeYes = false) =>
      assumeYes ||
      confirm(question, {
        stdin: io.stdin,
        stderr: io.stderr,
        signal: io.signal,
        onInterrupt: io.onInterrupt,
      }),
  };
  return { ctx, close: (ok) => progress.close(ok) };
}

function isWriteStream(stream: NodeJS.WritableStream): stream is NodeJS.WriteStream {
  return "isTTY" in stream && "columns" in stream;
}
