import { Command, type ParseOptionsResult } from "commander";
import { UsageError } from "../errors";
import { normalizeArgv } from "./argv";

/**
 * commander's Command with swcli's two changes, inherited by every subcommand:
 * - each command rewrites its own multi-letter short flags (`-cp`) before commander parses them;
 * - a parse error becomes a `UsageError` carrying the failing command's usage line, rendered in one place.
 */
export class SwCommand extends Command {
  override createCommand(name?: string): SwCommand {
    return new SwCommand(name);
  }

  override parseOptions(args: string[]): ParseOptionsResult {
    return super.parseOptions(normalizeArgv(args, this.options, this.commands.length > 0));
  }

  override error(message: string): never {
    const text = message.replace(/^error: /, "");
    // Starwhale's global options go before the command; `swcli runtime list -o json` is a common slip.
    const misplaced = /^unknown option '(-o|--output)(=[^']*)?'/.test(text);
    const hint = misplaced ? "global options go before the command: swcli -o json runtime list" : undefined;
    throw new UsageError(text, usageLine(this), hint);
  }
}

/** `swcli runtime build [options]`, as commander's help prints it. */
export function usageLine(command: Command): string {
  return command.createHelp().commandUsage(command);
}

/** `runtime build` for the build command: the names from below the program down to `command`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(" ");
}
