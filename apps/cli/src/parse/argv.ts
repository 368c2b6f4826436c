import type { Option } from "commander";
import { multiLetterShort } from "./options";

/**
 * Rewrites Starwhale's multi-letter short flags into the long form commander knows: an exact token `-cp`, or
 * `-cp=value`, becomes `--cp` / `--cp=value`, but only when `-cp` is an option of this very command.
 *
 * It walks the tokens the way commander will: the value after an option that takes one is skipped (so
 * `--name -cp` keeps `-cp` as the name), `--` ends options, and a command with subcommands stops at its first
 * operand, because the rest belongs to the subcommand, which normalises its own arguments.
 */
export function normalizeArgv(
  args: readonly string[],
  options: readonly Option[],
  hasSubcommands: boolean,
): string[] {
  const rewrites = new Map<string, string>();
  const takesValue = new Set<string>();
  for (const option of options) {
    const spelled = multiLetterShort(option);
    if (spelled && option.short) rewrites.set(spelled, option.short);
    if (option.required) {
      for (const name of [option.short, option.long]) if (name) takesValue.add(name);
    }
  }

  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? "";
    if (token === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      out.push(token);
      if (hasSubcommands) {
        out.push(...args.slice(i + 1));
        break;
      }
      continue;
    }
    const equals = token.indexOf("=");
    const name = equals > 0 ? token.slice(0, equals) : token;
    const rewritten = rewrites.get(name);
    const normalized = rewritten ? rewritten + token.slice(name.length) : token;
    out.push(normalized);
    if (equals < 0 && takesValue.has(rewritten ?? token) && i + 1 < args.length) {
      out.push(args[++i] ?? "");
    }
  }
  return out;
}
