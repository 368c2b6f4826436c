import type { CommandContext } from "../../command";
import type { RecoverOptions } from "../../commands/runtime/recover";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime recover`: move removed versions back, with their tags (spec §7.4, DESIGN difference 3).
 */
export async function recover(_options: RecoverOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
