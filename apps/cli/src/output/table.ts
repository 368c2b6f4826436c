import type CliTable3 from "cli-table3";

export interface Column {
  readonly header: string;
  /** Numbers and sizes read best right-aligned. */
  readonly align?: "left" | "right";
}

export type TableConstructor = typeof CliTable3;

// No borders, two spaces between columns: compact like `docker ps`, and still aligned.
const chars = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/** Renders rows under upper-case headers; every line ends without trailing spaces. */
export function renderTable(
  Table: TableConstructor,
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const table = new Table({
    head: columns.map((column) => column.header.toUpperCase()),
    chars,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
    colAligns: columns.map((column) => column.align ?? "left"),
  });
  for (const row of rows) table.push([...row]);
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}
