import { listVersions } from "@swhub/runtime/store/index";
import { isLocal } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { ListOptions } from "../../commands/runtime/list";
import { displayVersion, humanSize, humanTime } from "../../output/format";
import type { RuntimeListItemJson } from "../../output/shapes";
import { projectTarget, resolveLocalProject } from "../../store";

/**
 * `swcli runtime list`: the versions of a project's runtimes, newest first per runtime, with paging, filters and
 * `--show-removed` (spec §7.3, DESIGN difference 4). JSON: `RuntimeListItemJson[]` (the page asked for).
 */
export async function list(options: ListOptions, ctx: CommandContext): Promise<void> {
  const target = projectTarget(ctx, options.project);
  if (!isLocal(target.instance)) return (await import("./remote")).list(target, options, ctx);
  const { store, project } = resolveLocalProject(ctx, options.project, { command: "runtime list" });
  const page = await listVersions(store, {
    project: project.project,
    name: options.filters.name,
    owner: options.filters.owner,
    latest: options.filters.latest,
    showRemoved: options.showRemoved,
    page: options.page,
    size: options.size,
  });
  const items: RuntimeListItemJson[] = page.items.map((row) => ({
    project: row.project,
    name: row.name,
    version: row.version,
    tags: row.tags,
    size: row.size,
    created_at: row.createdAt.toISOString(),
    removed: row.removed,
    owner: null,
  }));
  renderList(ctx, items, { ...page, project: project.project }, options);
}

/** The list as JSON, or a table with a paging line. Shared by the standalone and server instances. */
export function renderList(
  ctx: CommandContext,
  items: RuntimeListItemJson[],
  page: { total: number; page: number; size: number; project: string },
  options: ListOptions,
): void {
  const project = { project: page.project };
  ctx.output.result(items, (rows) => {
    if (page.total === 0) {
      ctx.output.line(
        `no runtimes in project ${project.project}${options.filters.name ? ` named ${options.filters.name}*` : ""}`,
      );
      return;
    }
    ctx.output.table(
      [
        { header: "name" },
        { header: "version" },
        { header: "tags" },
        { header: "size", align: "right" },
        { header: "created" },
        ...(options.showRemoved ? [{ header: "removed" }] : []),
      ],
      rows.map((row) => [
        row.name,
        displayVersion(row.version, options.fullname),
        row.tags.join(", "),
        humanSize(row.size),
        humanTime(new Date(row.created_at)),
        ...(options.showRemoved ? [row.removed ? "yes" : ""] : []),
      ]),
    );
    const pages = Math.ceil(page.total / page.size);
    if (pages > 1) {
      const next = page.page < pages ? `; next: --page ${page.page + 1}` : "";
      ctx.output.line(`page ${page.page} of ${pages} (${page.total} versions)${next}`);
    }
  });
}
