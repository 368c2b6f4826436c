import { defineCommand } from "../../command";
import { arg, flag } from "../../parse/options";

export interface ActivateOptions {
  runtime: string;
  /** Restore the environment again even when it was restored before (a plain flag here; Starwhale wanted a value). */
  forceRestore: boolean;
  /** Print the activation command for `eval "$(...)"` instead of opening a shell. */
  print: boolean;
}

export const activateCommand = defineCommand({
  name: "activate",
  aliases: ["actv"],
  summary: "Open a shell with a runtime's Python environment active",
  description:
    "Standalone instance only. Leave the shell, or run `deactivate` / `conda deactivate`, to leave the runtime.",
  args: { runtime: arg("runtime", "runtime URI, e.g. pytorch or pytorch/version/v1") },
  options: {
    forceRestore: flag("-f, --force-restore", "restore the environment again even if it was restored before"),
    print: flag("--print", "print the activation command (for eval) instead of opening a shell"),
  },
  examples: ["swcli runtime activate pytorch", 'eval "$(swcli runtime activate pytorch/version/v1 --print)"'],
  parse: (raw): ActivateOptions => raw,
  handler: () => import("../../handlers/runtime/activate").then((module) => module.activate),
});
