import { resolve } from "node:path";
import { extractBundle } from "@swhub/runtime/bundle/extract";
import { restoreRuntime } from "@swhub/runtime/restore/restore";
import { isExtracted } from "@swhub/runtime/restore/snapshot";
import { bundlePath, snapshotDir } from "@swhub/runtime/store/index";
import { formatResourceUri } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { RestoreOptions } from "../../commands/runtime/restore";
import { restoreSettings } from "../../runtime-env";
import { resolveLocalRuntime, versionOf } from "../../store";

/**
 * `swcli runtime restore`: make the Python environment of an extracted runtime directory (what dockerized images
 * run), or of a runtime URI (extracted first if needed), from scratch (spec §4.1).
 */
export async function restore(options: RestoreOptions, ctx: CommandContext): Promise<void> {
  let workdir = resolve(options.target);
  let uri = "";
  let name: string | undefined;
  if (!(await isExtracted(workdir))) {
    const runtime = await resolveLocalRuntime(ctx, options.target, {
      command: "runtime restore",
      standaloneOnly: true,
    });
    const version = versionOf(runtime.uri);
    const { store } = runtime;
    workdir = snapshotDir(store, runtime.uri.project, runtime.uri.name, version);
    uri = formatResourceUri(runtime.uri);
    name = runtime.uri.name;
    if (!(await isExtracted(workdir))) {
      const bundle = bundlePath(store, runtime.uri.project, runtime.uri.name, version);
      await extractBundle(bundle, workdir, { force: true, progress: ctx.progress });
    }
  }
  const result = await restoreRuntime(workdir, {
    settings: restoreSettings(ctx),
    progress: ctx.progress,
    signal: ctx.signal,
    uri,
    name,
  });
  for (const line of result.skipped) ctx.output.notice(`skipped ${line}`);
  ctx.output.line(`restored ${result.prefix}`);
  ctx.output.line(`activate it with: eval "$(${resolve(workdir, "activate.host")})"`);
}
