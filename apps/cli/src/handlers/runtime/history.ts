import { runtimeHistory } from "@swhub/runtime/store/index";
import { isLocal } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { HistoryOptions } from "../../commands/runtime/history";
import { displayVersion, humanSize, humanTime } from "../../output/format";
import type { RuntimeHistoryItemJson } from "../../output/shapes";
import { resolveLocalRuntime, runtimeTarget } from "../../store";

/** `swcli runtime history`: every version, newest first (spec §7.1). JSON: `RuntimeHistoryItemJson[]`. */
export async function history(options: HistoryOptions, ctx: CommandContext): Promise<void> {
  const target = runtimeTarget(ctx, options.runtime);
  if (!isLocal(target.instance)) return (await import("./remote")).history(target, options, ctx);
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, {
    command: "runtime history",
    defaultVersion: null,
  });
  const rows = await runtimeHistory(store, uri.project, uri.name);
  const items: RuntimeHistoryItemJson[] = rows.map((row) => ({
    version: row.version,
    tags: row.tags,
    size: row.size,
    created_at: row.createdAt.toISOString(),
  }));
  renderHistory(ctx, items, options);
}

export function renderHistory(
  ctx: CommandContext,
  items: RuntimeHistoryItemJson[],
  options: HistoryOptions,
): void {
  ctx.output.result(items, (list) =>
    ctx.output.table(
      [{ header: "version" }, { header: "tags" }, { header: "size", align: "right" }, { header: "created" }],
      list.map((item) => [
        displayVersion(item.version, options.fullname),
        item.tags.join(", "),
        humanSize(item.size),
        humanTime(new Date(item.created_at)),
      ]),
    ),
  );
}
