import type { CommandContext } from "../../command";
import type { InfoOptions } from "../../commands/runtime/info";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime info`: print the sections the filter asks for (spec §7.2, DESIGN difference 6). JSON: `RuntimeInfoJson` (output/shapes.ts).
 */
export async function info(_options: InfoOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
