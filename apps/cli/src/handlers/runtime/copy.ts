import type { CommandContext } from "../../command";
import type { CopyOptions } from "../../commands/runtime/copy";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime copy`: copy one version between instances or projects, chunked, resumable and deduplicated by digest (spec §5, DESIGN difference 8).
 */
export async function copy(_options: CopyOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
