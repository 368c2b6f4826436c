import { defineCommand } from "../../command";
import { arg, flag } from "../../parse/options";

export interface RecoverOptions {
  /** Runtime URI; without a version, every removed version comes back. */
  runtime: string;
  /** Overwrite a version or runtime of the same name. */
  force: boolean;
}

export const recoverCommand = defineCommand({
  name: "recover",
  summary: "Bring back removed runtime versions, until gc deletes them",
  args: { runtime: arg("runtime", "runtime URI; without a version, all removed versions") },
  options: { force: flag("-f, --force", "overwrite an existing runtime or version of the same name") },
  parse: (raw): RecoverOptions => raw,
  handler: () => import("../../handlers/runtime/recover").then((module) => module.recover),
});
