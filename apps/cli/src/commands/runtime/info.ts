import { defineCommand } from "../../command";
import { arg, choice } from "../../parse/options";

export const infoFilters = ["basic", "runtime_yaml", "manifest", "lock", "all"] as const;

export interface InfoOptions {
  runtime: string;
  /** Which sections to show. */
  outputFilter: (typeof infoFilters)[number];
}

export const infoCommand = defineCommand({
  name: "info",
  summary: "Show a runtime version: basics, runtime.yaml, manifest, lock files",
  args: { runtime: arg("runtime", "runtime URI; without a version, the latest") },
  options: {
    outputFilter: choice("-of, --output-filter <filter>", "what to show", infoFilters, "basic"),
  },
  examples: [
    "swcli runtime info pytorch                        # basic info of the latest version",
    "swcli runtime info pytorch/version/v0 --output-filter basic",
    "swcli runtime info pytorch/version/v1 -of runtime_yaml",
    "swcli runtime info pytorch/version/v1 -of lock",
    "swcli runtime info pytorch/version/v1 -of manifest",
    "swcli runtime info pytorch/version/v1 -of all",
  ],
  parse: (raw): InfoOptions => raw,
  handler: () => import("../../handlers/runtime/info").then((module) => module.info),
});
