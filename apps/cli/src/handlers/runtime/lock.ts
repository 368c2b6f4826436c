import type { CommandContext } from "../../command";
import type { LockOptions } from "../../commands/runtime/lock";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime lock`: install runtime.yaml's dependencies and write the lock file (spec §3.2). Standalone only.
 */
export async function lock(_options: LockOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
