import { defineCommand } from "../command";
import { flag } from "../parse/options";

export interface GcOptions {
  /** List what would be deleted, delete nothing. */
  dryRun: boolean;
  /** Don't ask for confirmation per project. */
  yes: boolean;
}

export const gcCommand = defineCommand({
  name: "gc",
  summary: "Delete removed runtimes and temporary files for good",
  options: {
    dryRun: flag("--dry-run", "show what would be deleted, delete nothing"),
    yes: flag("-y, --yes", "don't ask for confirmation"),
  },
  parse: (raw): GcOptions => raw,
  handler: () => import("../handlers/gc").then((module) => module.gc),
});
