import type { CommandContext } from "../../command";
import type { DockerizeOptions } from "../../commands/runtime/dockerize";
import { NotImplemented } from "../../errors";

/**
 * `swcli runtime dockerize`: build the runtime's OCI image without a daemon, or with `docker buildx` (spec §6, DESIGN difference 9).
 */
export async function dockerize(_options: DockerizeOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
