import { buildRuntime } from "@swhub/runtime/build/build";
import { invalidInput } from "@swhub/shared/errors";
import { formatResourceUri, isLocal } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { BuildOptions } from "../../commands/runtime/build";
import { displayVersion } from "../../output/format";
import type { RuntimeBuildJson } from "../../output/shapes";
import { projectTarget, requireStandaloneCurrent } from "../../store";
import { buildOnServer } from "./build-remote";
import { buildSettings } from "./build-settings";

/**
 * `swcli runtime build`: lock, pack and store a new version (spec §3, DESIGN "Data flow"), reporting phases
 * through `ctx.progress`, then print the new version's URI. Standalone only. JSON: `RuntimeBuildJson`.
 */
export async function build(options: BuildOptions, ctx: CommandContext): Promise<void> {
  const target = projectTarget(ctx, options.project);
  // A project on a server: the server builds it (runtime.yaml or an image).
  if (!isLocal(target.instance)) return buildOnServer(options, target, ctx);
  // A local build: Starwhale also wants the standalone instance selected (spec §0).
  requireStandaloneCurrent(ctx);
  if (options.push) {
    throw invalidInput(
      "--push is not available yet: swcli cannot copy runtimes to another instance",
      "build without --push; copying comes with `swcli runtime copy`",
    );
  }
  const built = await buildRuntime({
    store: { root: ctx.config.storageRoot },
    project: target.project,
    source: options.source,
    cwd: process.cwd(),
    name: options.name,
    tags: options.tags,
    disableEnvLock: options.disableEnvLock,
    noCache: options.noCache,
    cuda: options.cuda,
    cudnn: options.cudnn,
    arch: options.arch,
    dumpPipOptions: options.dumpPipOptions,
    dumpCondarc: options.dumpCondarc,
    includeEditable: options.includeEditable,
    includeLocalWheel: options.includeLocalWheel,
    packEnv: options.packEnv,
    settings: buildSettings(ctx),
    progress: ctx.progress,
    warn: (text) => ctx.output.warn(text),
    signal: ctx.signal,
  });
  const uri = formatResourceUri({
    instance: target.instance,
    project: built.project,
    type: "runtime",
    name: built.name,
    version: built.version,
  });
  const result: RuntimeBuildJson = {
    uri,
    project: built.project,
    name: built.name,
    version: built.version,
    tags: built.tags,
    mode: built.mode,
    size: built.size,
    digest: built.digest,
    bundle_path: built.bundlePath,
    snapshot_workdir: built.snapshotDir,
    lock_file: built.lockFile ?? null,
    locked_distributions: built.distributions ?? null,
    image: built.image ?? null,
  };
  // The phases are over: their last line goes before the result, not after it.
  ctx.progress.close(true);
  ctx.output.result(result, (r) =>
    ctx.output.line(
      `built ${r.uri} (version ${displayVersion(r.version, false)}, tags ${r.tags.join(", ")})`,
    ),
  );
}
