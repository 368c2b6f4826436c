import type { CommandContext } from "../command";
import type { GcOptions } from "../commands/gc";
import { NotImplemented } from "../errors";

/**
 * `swcli gc`: per project, list the removed bundles and snapshots in the recycle bins, ask (unless `--yes`),
 * delete them; then empty `<root>/.tmp` and `<root>/.recover`. `--dry-run` only lists (spec §7.4).
 */
export async function gc(_options: GcOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
