import { defineCommand } from "../../command";
import { arg, flag } from "../../parse/options";

export interface RemoveOptions {
  /** Runtime URI; without a version, every version is removed. */
  runtime: string;
  /** Delete for good instead of moving to the recycle bin. */
  force: boolean;
  /** Don't ask for confirmation. */
  yes: boolean;
}

export const removeCommand = defineCommand({
  name: "remove",
  aliases: ["rm"],
  summary: "Remove a runtime or a version (recoverable until gc)",
  args: { runtime: arg("runtime", "runtime URI; without a version, all versions") },
  options: {
    force: flag("-f, --force", "delete permanently; it can't be recovered"),
    yes: flag("-y, --yes", "don't ask for confirmation"),
  },
  examples: ["swcli runtime remove pytorch/version/v1", "swcli runtime rm pytorch -y      # every version"],
  parse: (raw): RemoveOptions => raw,
  handler: () => import("../../handlers/runtime/remove").then((module) => module.remove),
});
