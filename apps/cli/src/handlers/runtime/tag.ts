import type { CommandContext } from "../../command";
import type { TagOptions } from "../../commands/runtime/tag";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime tag`: list, add or remove tags (spec §7.5, DESIGN difference 5). Listing prints `RuntimeTagsJson` in JSON mode (output/shapes.ts).
 */
export async function tag(_options: TagOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
