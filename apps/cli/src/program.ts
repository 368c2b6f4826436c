import packageJson from "../package.json" with { type: "json" };
import type { CommandDefinition, Invocation } from "./command";
import { gcCommand } from "./commands/gc";
import { instanceGroup } from "./commands/instance";
import { projectGroup } from "./commands/project";
import { runtimeGroup } from "./commands/runtime/index";
import { choice, counter } from "./parse/options";
import { SwCommand } from "./parse/sw-command";

export const version: string = packageJson.version;

/** The command tree, in help order. */
export const commands: readonly CommandDefinition[] = [runtimeGroup, instanceGroup, projectGroup, gcCommand];

/** Options of `swcli` itself; like Starwhale's, they go before the command (`swcli -o json runtime list`). */
const globalOptions = {
  output: choice("-o, --output <format>", "print the result as JSON; stdout then holds nothing else", [
    "json",
  ]),
  verbose: counter("-v, --verbose", "say more, and show stack traces of errors; repeat for more (-vvv)"),
};

export interface GlobalOptions {
  output?: "json";
  verbose: number;
}

export interface ProgramIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** Terminal width for wrapping help; 80 when not a terminal. */
  helpWidth?: number;
}

export interface Program {
  readonly root: SwCommand;
  /** The global options, after parsing. */
  globals(): GlobalOptions;
}

export function createProgram(io: ProgramIo, onInvoke: (invocation: Invocation) => void): Program {
  const root = new SwCommand("swcli");
  // Settings made before any subcommand exists are inherited by all of them.
  root
    .description("Build, share and run reproducible Python runtimes (Starwhale-compatible).")
    .usage("[global options] <command>")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: io.writeOut,
      writeErr: io.writeErr,
      getOutHelpWidth: () => io.helpWidth ?? 80,
      getErrHelpWidth: () => io.helpWidth ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({
      sortSubcommands: false,
      sortOptions: false,
      // `copy|cp`, not `copy|cp [options] <src> <dest>`: the list stays narrow; each command's help has its usage.
      subcommandTerm: (command) => [command.name(), ...command.aliases()].join("|"),
    })
    .version(`swcli, version ${version}`, "--version", "show the version and exit")
    .helpOption("-h, --help", "show this help");
  const created = Object.entries(globalOptions).map(([key, spec]) => {
    const option = spec.create();
    root.addOption(option);
    return { key, option };
  });
  root.addHelpText(
    "after",
    "\nGlobal options go before the command: swcli -o json runtime list\nRun 'swcli <command> --help' for a command's options.\n",
  );
  for (const definition of commands) definition.attach(root, onInvoke);

  return {
    root,
    globals() {
      const values = root.opts();
      const read = (key: keyof typeof globalOptions) =>
        values[created.find((c) => c.key === key)!.option.attributeName()];
      return {
        output: globalOptions.output.read(read("output")),
        verbose: globalOptions.verbose.read(read("verbose")),
      };
    },
  };
}
