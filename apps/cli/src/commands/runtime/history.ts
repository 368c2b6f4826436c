import { defineCommand } from "../../command";
import { arg, flag } from "../../parse/options";

export interface HistoryOptions {
  runtime: string;
  /** Show whole version ids instead of their first 12 characters. */
  fullname: boolean;
}

export const historyCommand = defineCommand({
  name: "history",
  summary: "List the versions of a runtime, newest first",
  args: { runtime: arg("runtime", "runtime URI (a name is enough)") },
  options: { fullname: flag("--fullname", "show whole version ids") },
  parse: (raw): HistoryOptions => raw,
  handler: () => import("../../handlers/runtime/history").then((module) => module.history),
});
