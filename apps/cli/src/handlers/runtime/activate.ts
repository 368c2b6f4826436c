import type { CommandContext } from "../../command";
import type { ActivateOptions } from "../../commands/runtime/activate";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime activate`: restore if needed (spec §4.1–4.2), then replace this process with an interactive shell, or print the activation command with `--print`. Standalone only.
 */
export async function activate(_options: ActivateOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
