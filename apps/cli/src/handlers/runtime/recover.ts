import { recoverVersions } from "@swhub/runtime/store/index";
import { shortVersion } from "@swhub/shared/version-id";
import type { CommandContext } from "../../command";
import type { RecoverOptions } from "../../commands/runtime/recover";
import type { RuntimeRemoveJson } from "../../output/shapes";
import { resolveLocalRuntime } from "../../store";

/**
 * `swcli runtime recover`: move removed versions back with their tags: the one the URI names, or every removed
 * version (spec §7.4, DESIGN difference 3). Versions and tags resolve among the removed ones. JSON:
 * `RuntimeRemoveJson`.
 */
export async function recover(options: RecoverOptions, ctx: CommandContext): Promise<void> {
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, {
    command: "runtime recover",
    defaultVersion: null,
    removed: true,
  });
  const { versions } = await recoverVersions(store, uri.project, uri.name, uri.version, {
    force: options.force,
  });
  const data: RuntimeRemoveJson = { project: uri.project, name: uri.name, versions, permanent: false };
  ctx.output.result(data, (result) => {
    for (const v of result.versions) ctx.output.line(`recovered ${result.name}/version/${shortVersion(v)}`);
  });
}
