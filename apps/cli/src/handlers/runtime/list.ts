import type { CommandContext } from "../../command";
import type { ListOptions } from "../../commands/runtime/list";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime list`: list the runtimes of a project with paging, filters and `--show-removed` (spec §7.3, DESIGN difference 4). JSON: `RuntimeListItemJson[]` (output/shapes.ts).
 */
export async function list(_options: ListOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
