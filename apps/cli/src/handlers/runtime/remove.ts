import { removeVersions, runtimeHistory } from "@swhub/runtime/store/index";
import { invalidInput } from "@swhub/shared/errors";
import { isLocal } from "@swhub/shared/uri";
import { shortVersion } from "@swhub/shared/version-id";
import type { CommandContext } from "../../command";
import type { RemoveOptions } from "../../commands/runtime/remove";
import type { RuntimeRemoveJson } from "../../output/shapes";
import { resolveLocalRuntime, runtimeTarget } from "../../store";

/**
 * `swcli runtime remove`: one version, or every version when the URI gives none (DESIGN difference 3); into the
 * recycle area (recoverable until `swcli gc`), or for good with `-f`. Asks first unless `-y`.
 */
export async function remove(options: RemoveOptions, ctx: CommandContext): Promise<void> {
  const target = runtimeTarget(ctx, options.runtime);
  if (!isLocal(target.instance)) return (await import("./remote")).remove(target, options, ctx);
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, {
    command: "runtime remove",
    defaultVersion: null,
  });
  const what = uri.version
    ? `version ${shortVersion(uri.version)} of runtime ${uri.name}`
    : `runtime ${uri.name} (${plural((await runtimeHistory(store, uri.project, uri.name)).length, "version")})`;
  const how = options.force ? "for good (it can't be recovered)" : "(recoverable until swcli gc)";
  if (!(await ctx.confirm(`Remove ${what} from project ${uri.project} ${how}?`, options.yes))) {
    throw invalidInput("removal cancelled; nothing was removed", "answer y, or pass -y to skip the question");
  }
  const { versions } = await removeVersions(store, uri.project, uri.name, uri.version, {
    force: options.force,
  });
  const data: RuntimeRemoveJson = {
    project: uri.project,
    name: uri.name,
    versions,
    permanent: options.force,
  };
  renderRemoved(ctx, data, uri.version);
}

export function renderRemoved(
  ctx: CommandContext,
  data: RuntimeRemoveJson,
  version: string | undefined,
): void {
  ctx.output.result(data, (result) => {
    const verb = result.permanent ? "deleted" : "removed";
    for (const v of result.versions) ctx.output.line(`${verb} ${result.name}/version/${shortVersion(v)}`);
    if (!result.permanent)
      ctx.output.line(
        `bring it back with: swcli runtime recover ${version ? `${result.name}/version/${version}` : result.name}`,
      );
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
