import type { CommandContext } from "../../command";
import type { HistoryOptions } from "../../commands/runtime/history";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime history`: print every version, newest first (spec §7.1). JSON: `RuntimeHistoryItemJson[]` (output/shapes.ts).
 */
export async function history(_options: HistoryOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
