import type { Command } from "commander";
import type { CliConfig } from "./config";
import type { Env } from "./env";
import { UsageError } from "./errors";
import type { Output } from "./output/output";
import type { CliProgress } from "./output/progress";
import type { ArgSpec, OptionSpec, Values } from "./parse/options";
import { commandPath, usageLine } from "./parse/sw-command";

/** What every handler gets besides its options. Created after parsing, only for commands that run. */
export interface CommandContext {
  /** The canonical command, e.g. `runtime build` (also when the user typed `rt`). */
  readonly command: string;
  /** The client config, loaded (and created if missing); change `config.data` then call `saveConfig`. */
  readonly config: CliConfig;
  /** Results, tables and messages; honours `-o json`. */
  readonly output: Output;
  /** Progress bars on a terminal, plain lines otherwise; pass it to the engine. */
  readonly progress: CliProgress;
  /** The environment variables swcli knows, validated. */
  readonly env: Env;
  /** Aborted on Ctrl-C: pass it to long operations so they stop and clean up. */
  readonly signal: AbortSignal;
  /** Ask a yes/no question (true at once when `assumeYes`, e.g. from `--yes`). */
  confirm(question: string, assumeYes?: boolean): Promise<boolean>;
}

/** A command's implementation: typed options in, output through `ctx`, failures as thrown `AppError`. */
export type Handler<T> = (options: T, ctx: CommandContext) => Promise<void>;

/** A parsed command line, ready to run. */
export interface Invocation {
  readonly command: string;
  /** The typed options object the handler will get (exposed for tests). */
  readonly options: unknown;
  run(ctx: CommandContext): Promise<void>;
}

/** A declared command or group, attached to a commander parent when the program is built. */
export interface CommandDefinition {
  readonly name: string;
  attach(parent: Command, onInvoke: (invocation: Invocation) => void): void;
}

type ArgSpecs = Record<string, ArgSpec<unknown>>;
type OptionSpecs = Record<string, OptionSpec<unknown>>;

export interface CommandSpec<A extends ArgSpecs, O extends OptionSpecs, T> {
  name: string;
  aliases?: readonly string[];
  /** One line, shown in the parent's command list and at the top of `--help`. */
  summary: string;
  /** More text under the summary in `--help`. */
  description?: string;
  /** Example command lines (with `# comments`), shown at the end of `--help`. */
  examples?: readonly string[];
  hidden?: boolean;
  /** Positional arguments, in order. */
  args?: A;
  options?: O;
  /** Turns the raw values into the handler's options; cross-option rules throw `UsageError` here. */
  parse(raw: Values<A> & Values<O>): T;
  /** Loads the handler. Handlers live in `src/handlers/` and load only when their command runs. */
  handler(): Promise<Handler<T>>;
}

export function defineCommand<
  A extends ArgSpecs = Record<never, never>,
  O extends OptionSpecs = Record<never, never>,
  T = never,
>(spec: CommandSpec<A, O, T>): CommandDefinition {
  return {
    name: spec.name,
    attach(parent, onInvoke) {
      const command = parent.command(spec.name, { hidden: spec.hidden ?? false });
      command.description(spec.description ? `${spec.summary}\n\n${spec.description}` : spec.summary);
      command.summary(spec.summary);
      if (spec.aliases) command.aliases([...spec.aliases]);
      const args = Object.entries(spec.args ?? {});
      for (const [, argument] of args) command.addArgument(argument.create());
      const options = Object.entries(spec.options ?? {}).map(([key, option]) => {
        const created = option.create();
        command.addOption(created);
        return { key, spec: option, attribute: created.attributeName() };
      });
      if (spec.examples?.length) {
        command.addHelpText("after", `\nExamples:\n${spec.examples.map((line) => `  ${line}`).join("\n")}\n`);
      }

      command.action(() => {
        const raw: Record<string, unknown> = {};
        args.forEach(([key, argument], index) => {
          raw[key] = argument.read(command.processedArgs[index]);
        });
        const values = command.opts();
        for (const option of options) raw[option.key] = option.spec.read(values[option.attribute]);
        let parsed: T;
        try {
          // `raw` was filled from exactly the specs that make up this type.
          parsed = spec.parse(raw as Values<A> & Values<O>);
        } catch (error) {
          if (error instanceof UsageError) error.usage ??= usageLine(command);
          throw error;
        }
        const path = commandPath(command);
        onInvoke({
          command: path,
          options: parsed,
          run: async (ctx) => (await spec.handler())(parsed, ctx),
        });
      });
    },
  };
}

export interface GroupSpec {
  name: string;
  aliases?: readonly string[];
  summary: string;
  commands: readonly CommandDefinition[];
}

/** A noun with subcommands: `runtime`, `instance`, `project`. */
export function defineGroup(spec: GroupSpec): CommandDefinition {
  return {
    name: spec.name,
    attach(parent, onInvoke) {
      const group = parent.command(spec.name).summary(spec.summary).description(spec.summary);
      if (spec.aliases) group.aliases([...spec.aliases]);
      for (const definition of spec.commands) definition.attach(group, onInvoke);
    },
  };
}
