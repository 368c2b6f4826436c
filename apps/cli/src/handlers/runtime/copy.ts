import { copyRuntime, resolveCopy } from "@swhub/runtime/copy/copy";
import type { CopyRef } from "@swhub/runtime/copy/transport";
import { storeResolver } from "@swhub/runtime/store/index";
import { formatResourceUri, type InstanceRef, isLocal } from "@swhub/shared/uri";
import { shortVersion } from "@swhub/shared/version-id";
import type { CommandContext } from "../../command";
import type { CopyOptions } from "../../commands/runtime/copy";
import { uriContext } from "../../config";
import type { RuntimeCopyJson } from "../../output/shapes";
import { copyTransport } from "../../remote/copy-transport";
import { openServer } from "../../remote/open";
import { serverResolver } from "../../remote/resolver";
import { openStore } from "../../store";

/**
 * `swcli runtime copy`: one version to another project or name (spec §5, DESIGN difference 8). The destination
 * gets the version with its own `vN` and `latest`, and the source's user tags except `-i` ones. The
 * source and destination may each be the standalone instance or a server (`remote/copy-transport.ts`). JSON:
 * `RuntimeCopyJson`.
 */
export async function copy(options: CopyOptions, ctx: CommandContext): Promise<void> {
  const store = openStore(ctx);
  const resolverFor = (instance: InstanceRef) =>
    isLocal(instance) ? storeResolver(store) : serverResolver(openServer(ctx, instance));
  const plan = await resolveCopy(options.src, options.dest, uriContext(ctx.config), resolverFor, {
    destLocalProject: options.destLocalProject,
  });
  const result = await copyRuntime(copyTransport(ctx, store), plan, {
    force: options.force,
    ignoreTags: options.ignoreTags,
    progress: ctx.progress,
    signal: ctx.signal,
  });
  const data: RuntimeCopyJson = {
    status: result.status,
    src: show(result.src),
    dest: show(result.dest),
    version: result.dest.version,
    tags: result.tags,
    skipped_tags: result.skippedTags,
  };
  ctx.output.result(data, (r) => {
    const dest = `${plan.dest.project}/${plan.dest.name}/version/${shortVersion(r.version)}`;
    if (r.status === "skipped") ctx.output.line(`${dest} already exists; kept it (pass -f to overwrite)`);
    else ctx.output.line(`${r.status === "copied" ? "copied" : "overwrote"} ${dest}`);
    if (r.tags.length > 0) ctx.output.line(`tags: ${r.tags.join(", ")}`);
    for (const t of r.skipped_tags) {
      ctx.output.warn(`tag ${t} is on another version of ${plan.dest.name}; not copied (pass -f to move it)`);
    }
  });
}

const show = (ref: CopyRef) => formatResourceUri({ ...ref, type: "runtime" });
