import { defineCommand } from "../../command";
import { arg } from "../../parse/options";

export interface RestoreOptions {
  /** A runtime URI, or the path of an extracted runtime (what dockerized images run). */
  target: string;
}

/** Hidden, as in Starwhale: `activate` restores on demand; images built by Starwhale's Dockerfile call this. */
export const restoreCommand = defineCommand({
  name: "restore",
  hidden: true,
  summary: "Create the Python environment of an extracted runtime",
  args: { target: arg("target", "runtime URI or extracted runtime directory") },
  parse: (raw): RestoreOptions => raw,
  handler: () => import("../../handlers/runtime/restore").then((module) => module.restore),
});
