import { addTags, removeTags, runtimeVersions } from "@swhub/runtime/store/index";
import { isLocal } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { TagOptions } from "../../commands/runtime/tag";
import type { RuntimeTagsJson } from "../../output/shapes";
import { resolveLocalRuntime, runtimeTarget, versionOf } from "../../store";

/**
 * `swcli runtime tag`: list a version's tags, add tags to it, or remove tags (`-r`) from whichever version has
 * them (spec §7.5). Built-in tags (latest, vN) can't be given. JSON: `RuntimeTagsJson`.
 */
export async function tag(options: TagOptions, ctx: CommandContext): Promise<void> {
  const target = runtimeTarget(ctx, options.runtime);
  if (!isLocal(target.instance)) return (await import("./remote")).tag(target, options, ctx);
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, { command: "runtime tag" });
  const version = versionOf(uri);
  let skipped: string[] = [];
  if (options.tags.length > 0) {
    const change = { force: options.forceAdd, quiet: options.quiet };
    skipped = options.remove
      ? (await removeTags(store, uri.project, uri.name, options.tags, change)).skipped
      : (await addTags(store, uri.project, uri.name, version, options.tags, change)).skipped;
  }
  const row = (await runtimeVersions(store, uri.project, uri.name)).find((v) => v.version === version);
  const data: RuntimeTagsJson = {
    name: uri.name,
    version,
    tags: row?.tags ?? [],
    ...(options.tags.length > 0 ? { skipped } : {}),
  };
  renderTags(ctx, data, options);
}

export function renderTags(ctx: CommandContext, data: RuntimeTagsJson, options: TagOptions): void {
  const skipped = data.skipped ?? [];
  ctx.output.result(data, (result) => {
    const done = options.tags.filter((t) => !skipped.includes(t));
    if (skipped.length > 0) ctx.output.notice(`left alone (-q): ${skipped.join(", ")}`);
    if (done.length > 0) {
      ctx.output.line(`${options.remove ? "removed" : "added"} ${done.join(", ")}`);
    }
    ctx.output.line(
      `${result.name}/version/${result.version.slice(0, 12)}: ${result.tags.join(", ") || "(no tags)"}`,
    );
  });
}
