import { defineGroup } from "../../command";
import { activateCommand } from "./activate";
import { buildCommand } from "./build";
import { copyCommand } from "./copy";
import { dockerizeCommand } from "./dockerize";
import { extractCommand } from "./extract";
import { historyCommand } from "./history";
import { infoCommand } from "./info";
import { listCommand } from "./list";
import { lockCommand } from "./lock";
import { recoverCommand } from "./recover";
import { removeCommand } from "./remove";
import { restoreCommand } from "./restore";
import { tagCommand } from "./tag";

export const runtimeGroup = defineGroup({
  name: "runtime",
  aliases: ["rt"],
  summary: "Runtimes: build, copy, activate, dockerize, tag...",
  commands: [
    activateCommand,
    buildCommand,
    copyCommand,
    dockerizeCommand,
    extractCommand,
    historyCommand,
    infoCommand,
    listCommand,
    lockCommand,
    recoverCommand,
    removeCommand,
    restoreCommand,
    tagCommand,
  ],
});
