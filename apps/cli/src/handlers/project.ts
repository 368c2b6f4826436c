import type { CommandContext } from "../command";
import type { ProjectListOptions, ProjectOptions } from "../commands/project";
import { NotImplemented } from "../errors";

/** `swcli project list`: the instance's projects. JSON: `ProjectJson[]` (output/shapes.ts). */
export async function list(_options: ProjectListOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}

/** `swcli project create`: a directory in the standalone store, or a project on the server. */
export async function create(_options: ProjectOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}

/** `swcli project select`: set the instance's `current_project` in the config (it must exist). */
export async function select(_options: ProjectOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}

/** `swcli project info`: the project's details. */
export async function info(_options: ProjectOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}
