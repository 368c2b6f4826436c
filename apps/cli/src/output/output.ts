import type { TextSink } from "../errors";
import { type Column, renderTable, type TableConstructor } from "./table";

/**
 * Everything a handler prints goes through here, so `-o json` can keep stdout to exactly one JSON document
 * (the command's result) and send every other line to stderr.
 */
export interface Output {
  /** True with `-o json`. */
  readonly json: boolean;
  /** How many -v were given. */
  readonly verbosity: number;
  /**
   * The command's result. JSON mode prints `data` (its shape is documented in `output/shapes.ts`) on stdout;
   * human mode calls `human(data)`, which prints it with `line` and `table`. Call it once per command.
   */
  result<T>(data: T, human: (data: T) => void): void;
  /** A line for people: stdout in human mode, stderr in JSON mode. */
  line(text?: string): void;
  /** An aligned, borderless table (on the same stream as `line`). */
  table(columns: readonly Column[], rows: readonly (readonly string[])[]): void;
  /** Something the user should know that is not the result: stderr, `notice: ...`. */
  notice(text: string): void;
  /** Something that may be wrong but did not stop the command: stderr, `warning: ...`. */
  warn(text: string): void;
  /** Diagnostics, shown with -v only (stderr). */
  debug(text: string): void;
}

export interface OutputOptions {
  json: boolean;
  verbosity: number;
  stdout: TextSink;
  stderr: TextSink;
  Table: TableConstructor;
}

export function createOutput({ json, verbosity, stdout, stderr, Table }: OutputOptions): Output {
  const human = json ? stderr : stdout;
  let results = 0;
  return {
    json,
    verbosity,
    result(data, render) {
      results++;
      if (json && results > 1) throw new Error("a command printed more than one JSON result");
      if (json) stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else render(data);
    },
    line: (text = "") => human.write(`${text}\n`),
    table(columns, rows) {
      human.write(`${renderTable(Table, columns, rows)}\n`);
    },
    notice: (text) => stderr.write(`notice: ${text}\n`),
    warn: (text) => stderr.write(`warning: ${text}\n`),
    debug(text) {
      if (verbosity > 0) stderr.write(`debug: ${text}\n`);
    },
  };
}
