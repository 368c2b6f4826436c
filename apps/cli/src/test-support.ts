import { parseCli } from "./cli";
import { UsageError } from "./errors";

/** Splits a documented command line on spaces (no quoting needed by the examples) and drops `swcli`. */
export function argvOf(line: string): string[] {
  const words = line.trim().split(/\s+/);
  return words[0] === "swcli" ? words.slice(1) : words;
}

export interface Parsed {
  command: string;
  options: unknown;
  globals: { output?: "json"; verbose: number };
}

/** Parses a command line as swcli would, without running anything. */
export function parseLine(line: string | string[]): Parsed {
  const argv = typeof line === "string" ? argvOf(line) : line;
  const result = parseCli(argv, { writeOut: () => {}, writeErr: () => {} });
  if (result.kind !== "run")
    throw new Error(`"${argv.join(" ")}" did not parse to a command (exit ${result.code})`);
  return { command: result.invocation.command, options: result.invocation.options, globals: result.globals };
}

/** The usage error a command line gives; fails if it parses. */
export function usageErrorOf(line: string | string[]): UsageError {
  try {
    parseLine(line);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error from: ${line}`);
}

/** What `--help` (or anything else commander prints) writes to stdout and stderr. */
export function printed(
  line: string | string[],
  helpWidth = 200,
): { out: string; err: string; code: number } {
  const argv = typeof line === "string" ? argvOf(line) : line;
  let out = "";
  let err = "";
  const result = parseCli(argv, {
    writeOut: (text) => (out += text),
    writeErr: (text) => (err += text),
    helpWidth,
  });
  return { out, err, code: result.kind === "exit" ? result.code : -1 };
}
