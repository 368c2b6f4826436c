import { recoverVersions } from "@swhub/runtime/store/index";
import { AppError, isAppError } from "@swhub/shared/errors";
import { isLocal } from "@swhub/shared/uri";
import { shortVersion } from "@swhub/shared/version-id";
import type { CommandContext } from "../../command";
import type { RecoverOptions } from "../../commands/runtime/recover";
import type { RuntimeRemoveJson } from "../../output/shapes";
import { resolveLocalRuntime, runtimeTarget } from "../../store";

/**
 * `swcli runtime recover`: move removed versions back with their tags: the one the URI names, or every removed
 * version (spec §7.4, DESIGN difference 3). Versions and tags resolve among the removed ones. JSON:
 * `RuntimeRemoveJson`.
 */
export async function recover(options: RecoverOptions, ctx: CommandContext): Promise<void> {
  const target = runtimeTarget(ctx, options.runtime);
  if (!isLocal(target.instance)) return (await import("./remote")).recover(target, options, ctx);
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, {
    command: "runtime recover",
    defaultVersion: null,
    removed: true,
  }).catch(async (error) => {
    // Among removed versions, a runtime that is all there is "not found": say what is actually the matter.
    const live = await resolveLocalRuntime(ctx, options.runtime, {
      command: "runtime recover",
      defaultVersion: null,
    }).catch(() => undefined);
    if (!live || !isAppError(error) || error.code !== "not_found") throw error;
    const what = live.uri.version
      ? `version ${shortVersion(live.uri.version)} of ${live.uri.name} is not removed`
      : `runtime ${live.uri.name} has no removed versions`;
    throw new AppError(
      "not_found",
      `${what} in project "${live.uri.project}"`,
      "removed versions are listed by `swcli runtime list --show-removed`",
    );
  });
  const { versions } = await recoverVersions(store, uri.project, uri.name, uri.version, {
    force: options.force,
  });
  const data: RuntimeRemoveJson = { project: uri.project, name: uri.name, versions, permanent: false };
  ctx.output.result(data, (result) => {
    for (const v of result.versions) ctx.output.line(`recovered ${result.name}/version/${shortVersion(v)}`);
  });
}
