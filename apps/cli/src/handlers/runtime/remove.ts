import type { CommandContext } from "../../command";
import type { RemoveOptions } from "../../commands/runtime/remove";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime remove`: ask (unless `--yes`), then move every matching version to the recycle bin, or delete it with `--force` (spec §7.4, DESIGN difference 3).
 */
export async function remove(_options: RemoveOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
