import { defineCommand } from "../../command";
import { arg, flag, text } from "../../parse/options";

export interface ExtractOptions {
  runtime: string;
  /** Delete and extract again when the target already holds an extracted runtime. */
  force: boolean;
  /** Where to extract; default the runtime's snapshot workdir in the store. */
  targetDir?: string;
}

export const extractCommand = defineCommand({
  name: "extract",
  summary: "Extract a runtime bundle into a directory",
  args: { runtime: arg("runtime", "runtime URI") },
  options: {
    force: flag("-f, --force", "extract again even if the target already holds the runtime"),
    targetDir: text("--target-dir <dir>", "extract here (default: the runtime's workdir in the store)"),
  },
  parse: (raw): ExtractOptions => raw,
  handler: () => import("../../handlers/runtime/extract").then((module) => module.extract),
});
