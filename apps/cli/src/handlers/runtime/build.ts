import type { CommandContext } from "../../command";
import type { BuildOptions } from "../../commands/runtime/build";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime build`: lock, pack and store a new version (spec §3, DESIGN "Data flow"); report phases through `ctx.progress`; print the new version's URI. Standalone only.
 */
export async function build(_options: BuildOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
