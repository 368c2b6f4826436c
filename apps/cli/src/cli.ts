import { CommanderError } from "commander";
import type { Invocation } from "./command";
import type { CliIo } from "./context";
import { exitCodes, renderError } from "./errors";
import { createProgram, type GlobalOptions, type ProgramIo } from "./program";

export type ParseResult =
  | { kind: "run"; invocation: Invocation; globals: GlobalOptions }
  /** Help or version was printed (or help because a command was missing); nothing to run. */
  | { kind: "exit"; code: number };

/**
 * Parses a command line into the invocation to run. Throws `UsageError` for a wrong command line. Parsing is
 * synchronous and loads no handler.
 */
export function parseCli(argv: readonly string[], io: ProgramIo): ParseResult {
  let invocation: Invocation | undefined;
  const program = createProgram(io, (parsed) => {
    invocation = parsed;
  });
  try {
    program.root.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // `swcli runtime` without a subcommand prints help to stderr: a usage error, not a success.
      return { kind: "exit", code: error.code === "commander.help" ? exitCodes.usage : error.exitCode };
    }
    throw error;
  }
  if (!invocation) return { kind: "exit", code: exitCodes.usage };
  return { kind: "run", invocation, globals: program.globals() };
}

/** Runs one command line to an exit code. Every error ends here and is rendered once. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let verbosity = 0;
  try {
    const parsed = parseCli(argv, {
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      helpWidth: io.stdout.isTTY ? io.stdout.columns : undefined,
    });
    if (parsed.kind === "exit") return parsed.code;
    verbosity = parsed.globals.verbose;

    const { createContext } = await import("./context");
    const session = await createContext(parsed.invocation, parsed.globals, io);
    let ok = false;
    try {
      await parsed.invocation.run(session.ctx);
      ok = true;
    } finally {
      session.close(ok);
    }
    return io.signal.aborted ? exitCodes.interrupted : exitCodes.ok;
  } catch (error) {
    // Whatever a cancelled operation throws is noise: the user pressed Ctrl-C and knows.
    if (io.signal.aborted) return exitCodes.interrupted;
    return renderError(error, io.stderr, verbosity);
  }
}
