import { InvalidArgumentError } from "commander";
import { defineCommand } from "../../command";
import { flag, folded, integer, text } from "../../parse/options";

/** What `-fl/--filter` narrows the list to; repeated filters combine, a repeated key keeps the last value. */
export interface ListFilters {
  /** Runtime names starting with this. */
  name?: string;
  /** Runtimes of this owner (server instances). */
  owner?: string;
  /** Only the version tagged latest. */
  latest: boolean;
}

export interface ListOptions {
  /** Project URI; default the current project. */
  project?: string;
  fullname: boolean;
  showRemoved: boolean;
  page: number;
  size: number;
  filters: ListFilters;
}

const filterHelp = "name=PREFIX, owner=NAME or latest";

/** `name=mnist` → `{ name: "mnist" }`; exported for tests. */
export function foldFilter(value: string, previous: ListFilters): ListFilters {
  const [key = "", ...rest] = value.split("=");
  const argument = rest.join("=");
  const hasValue = rest.length > 0;
  switch (key.trim().toLowerCase()) {
    case "name":
    case "owner":
      if (!argument) throw new InvalidArgumentError(`Expected ${filterHelp}.`);
      return { ...previous, [key.trim().toLowerCase()]: argument };
    case "latest":
      if (hasValue) throw new InvalidArgumentError(`latest takes no value; expected ${filterHelp}.`);
      return { ...previous, latest: true };
    default:
      throw new InvalidArgumentError(`Expected ${filterHelp}.`);
  }
}

function isListFilters(value: unknown): value is ListFilters {
  return typeof value === "object" && value !== null && "latest" in value;
}

export const listCommand = defineCommand({
  name: "list",
  aliases: ["ls"],
  summary: "List the runtimes of a project",
  options: {
    project: text("-p, --project <project>", "project URI (default: the current project)"),
    fullname: flag("-f, --fullname", "show whole version ids"),
    showRemoved: flag("-sr, --show-removed", "include removed versions that gc has not deleted yet"),
    page: integer("--page <n>", "page number", { fallback: 1, min: 1 }),
    size: integer("--size <n>", "runtimes per page", { fallback: 20, min: 1 }),
    filters: folded(
      "-fl, --filter <filter>",
      `${filterHelp}; repeatable`,
      { latest: false },
      foldFilter,
      isListFilters,
    ),
  },
  examples: [
    "swcli runtime list",
    "swcli runtime list -p local/project/myproject --fullname",
    "swcli runtime list --filter name=pytorch --filter latest",
    "swcli -o json runtime list -sr --page 2 --size 50",
  ],
  parse: (raw): ListOptions => raw,
  handler: () => import("../../handlers/runtime/list").then((module) => module.list),
});
