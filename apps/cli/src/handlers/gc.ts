import { projectRecycleBin, sweepStore } from "@swhub/runtime/gc/sweep";
import { collectGarbage } from "@swhub/runtime/store/index";
import { invalidInput } from "@swhub/shared/errors";
import { shortVersion } from "@swhub/shared/version-id";
import type { CommandContext } from "../command";
import type { GcOptions } from "../commands/gc";
import { humanSize } from "../output/format";
import type { GcJson } from "../output/shapes";
import { openStore } from "../store";

/**
 * `swcli gc`: delete for good what `runtime remove` moved to the recycle areas (bundles and snapshots, and their
 * tags), Starwhale's project recycle bin, and temporary files of killed swcli processes. Lists and asks first
 * (unless `-y`); `--dry-run` only lists (spec §7.4). JSON: `GcJson`.
 */
export async function gc(options: GcOptions, ctx: CommandContext): Promise<void> {
  const store = openStore(ctx);
  const found = await collectGarbage(store, { dryRun: true });
  const bin = await projectRecycleBin(store);
  const listing = [
    ...found.versions.map(
      (v) => `${v.project}/${v.name}/version/${shortVersion(v.version)}  ${humanSize(v.size)}`,
    ),
    ...bin,
  ];
  if (!options.dryRun && listing.length > 0) {
    for (const line of listing) ctx.output.notice(`to delete: ${line}`);
    const question = `Delete ${listing.length} removed item${listing.length === 1 ? "" : "s"} (${humanSize(found.bytes)}) for good?`;
    if (!(await ctx.confirm(question, options.yes))) {
      throw invalidInput("gc cancelled; nothing was deleted", "answer y, or pass -y to skip the question");
    }
  }
  const done = options.dryRun ? found : await collectGarbage(store);
  const other = options.dryRun
    ? bin
    : [...(await projectRecycleBin(store, { empty: true })), ...(await sweepStore(store))];
  const data: GcJson = {
    dry_run: options.dryRun,
    versions: done.versions.map((v) => ({
      project: v.project,
      name: v.name,
      version: v.version,
      size: v.size,
    })),
    bytes: done.bytes,
    other,
  };
  ctx.output.result(data, (result) => {
    const verb = result.dry_run ? "would delete" : "deleted";
    for (const v of result.versions)
      ctx.output.line(`${verb} ${v.project}/${v.name}/version/${shortVersion(v.version)}`);
    for (const path of result.other) ctx.output.line(`${verb} ${path}`);
    if (result.versions.length === 0 && result.other.length === 0) ctx.output.line("nothing to delete");
    else ctx.output.line(`${verb} ${humanSize(result.bytes)} of removed runtimes`);
  });
}
