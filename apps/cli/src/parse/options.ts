import { Argument, InvalidArgumentError, Option } from "commander";

/**
 * Typed option and argument declarations. A command lists them once; from that list come the commander
 * options (help, parsing, validation) and the type of the parsed values, so the two can't drift apart.
 */
export interface OptionSpec<T> {
  readonly kind: "option";
  /** As the seed spells them, e.g. `-cp, --conda-prefix <path>`. */
  readonly flags: string;
  create(): Option;
  /** From what commander stored to the typed value. */
  read(value: unknown): T;
  /** Show the option under its own heading in `--help`. */
  group(heading: string): OptionSpec<T>;
}

export interface ArgSpec<T> {
  readonly kind: "argument";
  create(): Argument;
  read(value: unknown): T;
}

type Spec = OptionSpec<unknown> | ArgSpec<unknown>;
export type SpecMap = Record<string, Spec>;
type ValueOf<S> = S extends OptionSpec<infer T> ? T : S extends ArgSpec<infer T> ? T : never;
/** The parsed values of a map of specs: `{ name: text(...) }` gives `{ name: string | undefined }`. */
export type Values<S extends SpecMap> = { [K in keyof S]: ValueOf<S[K]> };

/**
 * Commander only knows one-letter short flags, and Starwhale has `-cp`, `-del`, `-of`... Such a flag is declared
 * to commander as a second long flag (`--cp`), `normalizeArgv` rewrites `-cp` to `--cp` before commander parses,
 * and `flags` keeps the seed's spelling, so help and error messages show `-cp, --conda-prefix <path>`.
 */
export function createSwOption(flags: string, description: string): Option {
  const commanderFlags = flags.replace(/(^|[ ,|])-([A-Za-z][A-Za-z0-9]+)(?=$|[ ,|])/g, "$1--$2");
  const option = new Option(commanderFlags, description);
  option.flags = flags;
  // In Starwhale `--no-cache` is a plain switch, not commander's negation of a `--cache` option.
  option.negate = false;
  return option;
}

/** `-cp` for an option declared as `-cp, --conda-prefix`, else undefined. */
export function multiLetterShort(option: Option): string | undefined {
  const short = option.short;
  if (!short?.startsWith("--")) return undefined;
  const spelled = short.slice(1);
  return option.flags.split(/[ ,|]+/).includes(spelled) ? spelled : undefined;
}

function optionSpec<T>(
  flags: string,
  description: string,
  configure: (option: Option) => void,
  read: (value: unknown) => T,
  heading?: string,
): OptionSpec<T> {
  return {
    kind: "option",
    flags,
    create() {
      const option = createSwOption(flags, description);
      configure(option);
      if (heading) option.helpGroup(heading);
      return option;
    },
    read,
    group: (next) => optionSpec(flags, description, configure, read, next),
  };
}

const isString = (value: unknown): value is string => typeof value === "string" && value !== "";

/** A boolean switch: `-f, --force`. */
export function flag(flags: string, description: string): OptionSpec<boolean> {
  return optionSpec(
    flags,
    description,
    () => {},
    (value) => value === true,
  );
}

/** A string value: `-n, --name <name>`. An empty string counts as not given, as in Starwhale. */
export function text(flags: string, description: string): OptionSpec<string | undefined>;
export function text(flags: string, description: string, fallback: string): OptionSpec<string>;
export function text(flags: string, description: string, fallback?: string): OptionSpec<string | undefined> {
  return optionSpec(
    flags,
    description,
    (option) => {
      if (fallback !== undefined) option.default(fallback);
    },
    (value) => (isString(value) ? value : fallback),
  );
}

/** The same string option given several times: `-t a -t b` gives `["a", "b"]`. */
export function list(flags: string, description: string): OptionSpec<string[]> {
  return optionSpec(
    flags,
    description,
    (option) => option.argParser(collect),
    (value) => (Array.isArray(value) ? value.filter(isString) : []),
  );
}

function collect(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? previous : []), value];
}

type Choices = readonly [string, ...string[]];

function matchChoice<C extends Choices>(choices: C, value: string): C[number] {
  const found = choices.find((choice) => choice.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw new InvalidArgumentError(`Allowed choices are ${choices.join(", ")}.`);
  return found;
}

function isChoice<C extends Choices>(choices: C, value: unknown): value is C[number] {
  return typeof value === "string" && choices.includes(value);
}

/** One of a fixed set, matched case-insensitively as click does: `--arch amd64|arm64|noarch`. */
export function choice<const C extends Choices>(
  flags: string,
  description: string,
  choices: C,
): OptionSpec<C[number] | undefined>;
export function choice<const C extends Choices>(
  flags: string,
  description: string,
  choices: C,
  fallback: C[number],
): OptionSpec<C[number]>;
export function choice<const C extends Choices>(
  flags: string,
  description: string,
  choices: C,
  fallback?: C[number],
): OptionSpec<C[number] | undefined> {
  return optionSpec(
    flags,
    description,
    (option) => {
      option.argChoices = [...choices];
      // Starwhale accepts an empty value for "not given" (`--cuda ""`).
      option.argParser((value: string) => (value === "" ? undefined : matchChoice(choices, value)));
      if (fallback !== undefined) option.default(fallback);
    },
    (value) => (isChoice(choices, value) ? value : fallback),
  );
}

/** A choice that can be repeated: `--platform amd64 --platform arm64`. Duplicates collapse. */
export function choiceList<const C extends Choices>(
  flags: string,
  description: string,
  choices: C,
  fallback: readonly C[number][],
): OptionSpec<C[number][]> {
  return optionSpec(
    flags,
    description,
    (option) => {
      option.argChoices = [...choices];
      // The default is shown in help; the parser starts a fresh list when it sees this very array.
      const defaults = Object.freeze([...fallback]);
      option.default(defaults, fallback.join(", "));
      option.argParser((value: string, previous: unknown) =>
        collect(matchChoice(choices, value), previous === defaults ? [] : previous),
      );
    },
    (value) => {
      const given = Array.isArray(value) ? value.filter((item) => isChoice(choices, item)) : [];
      return [...new Set(given.length > 0 ? given : fallback)];
    },
  );
}

/** A whole number with a lower bound: `--page <n>` (default 1). */
export function integer(
  flags: string,
  description: string,
  { fallback, min }: { fallback: number; min: number },
): OptionSpec<number> {
  return optionSpec(
    flags,
    description,
    (option) => {
      option.argParser((value: string) => {
        const parsed = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
        if (!Number.isSafeInteger(parsed) || parsed < min) {
          throw new InvalidArgumentError(`Expected a whole number of at least ${min}.`);
        }
        return parsed;
      });
      option.default(fallback);
    },
    (value) => (typeof value === "number" ? value : fallback),
  );
}

/** A flag that counts how often it is given: `-vvv` is 3. */
export function counter(flags: string, description: string): OptionSpec<number> {
  return optionSpec(
    flags,
    description,
    (option) =>
      option.argParser(
        (_value: unknown, previous: unknown) => (typeof previous === "number" ? previous : 0) + 1,
      ),
    (value) => (typeof value === "number" ? value : 0),
  );
}

/**
 * An option whose values fold into one typed value, e.g. `-fl name=x -fl latest` into `{ name: "x", latest: true }`.
 * `fold` throws `InvalidArgumentError` for a value it rejects. `isValue` tells a folded value from commander's
 * "not given".
 */
export function folded<T>(
  flags: string,
  description: string,
  initial: T,
  fold: (value: string, previous: T) => T,
  isValue: (value: unknown) => value is T,
): OptionSpec<T> {
  return optionSpec(
    flags,
    description,
    (option) =>
      option.argParser((value: string, previous: unknown) =>
        fold(value, isValue(previous) ? previous : initial),
      ),
    (value) => (isValue(value) ? value : initial),
  );
}

function argSpec<T>(create: () => Argument, read: (value: unknown) => T): ArgSpec<T> {
  return { kind: "argument", create, read };
}

/** A required positional argument: `<runtime>`. */
export function arg(name: string, description: string): ArgSpec<string> {
  return argSpec(
    () => new Argument(`<${name}>`, description),
    (value) => (typeof value === "string" ? value : ""),
  );
}

/** An optional positional argument: `[instance]`, with an optional default. */
export function optionalArg(name: string, description: string): ArgSpec<string | undefined>;
export function optionalArg(name: string, description: string, fallback: string): ArgSpec<string>;
export function optionalArg(
  name: string,
  description: string,
  fallback?: string,
): ArgSpec<string | undefined> {
  return argSpec(
    () => {
      const argument = new Argument(`[${name}]`, description);
      if (fallback !== undefined) argument.default(fallback);
      return argument;
    },
    (value) => (isString(value) ? value : fallback),
  );
}

/** Any number of trailing arguments: `[tags...]`. */
export function variadicArg(name: string, description: string): ArgSpec<string[]> {
  return argSpec(
    () => new Argument(`[${name}...]`, description),
    (value) => (Array.isArray(value) ? value.filter(isString) : []),
  );
}
