import type { CommandContext } from "../../command";
import type { RestoreOptions } from "../../commands/runtime/restore";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime restore`: create the Python environment of an extracted runtime (spec §4.1).
 */
export async function restore(_options: RestoreOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
