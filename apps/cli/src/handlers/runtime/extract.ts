import type { CommandContext } from "../../command";
import type { ExtractOptions } from "../../commands/runtime/extract";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime extract`: unpack the bundle into the snapshot workdir or `--target-dir` (spec §4.3).
 */
export async function extract(_options: ExtractOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
