import { resolve } from "node:path";
import { extractBundle } from "@swhub/runtime/bundle/extract";
import { bundlePath, snapshotDir } from "@swhub/runtime/store/index";
import type { CommandContext } from "../../command";
import type { ExtractOptions } from "../../commands/runtime/extract";
import type { RuntimeExtractJson } from "../../output/shapes";
import { resolveLocalRuntime, versionOf } from "../../store";

/**
 * `swcli runtime extract`: unpack the bundle into the runtime's workdir in the store, or `--target-dir` (spec
 * §4.3). A target that already holds the runtime is kept unless `-f`, which replaces it, restored environment
 * included. JSON: `RuntimeExtractJson`.
 */
export async function extract(options: ExtractOptions, ctx: CommandContext): Promise<void> {
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, {
    command: "runtime extract",
    standaloneOnly: true,
  });
  const version = versionOf(uri);
  const target = options.targetDir
    ? resolve(options.targetDir)
    : snapshotDir(store, uri.project, uri.name, version);
  const result = await extractBundle(bundlePath(store, uri.project, uri.name, version), target, {
    force: options.force,
    progress: ctx.progress,
  });
  const data: RuntimeExtractJson = { path: result.path, status: result.status };
  ctx.output.result(data, ({ path, status }) => {
    if (status === "existed") {
      ctx.output.line(`${path} already holds the runtime; kept it (pass -f to extract again)`);
    } else {
      ctx.output.line(`extracted to ${path}`);
    }
  });
}
