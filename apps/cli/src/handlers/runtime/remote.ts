import { AppError, isAppError } from "@swhub/shared/errors";
import { formatResourceUri, type ProjectUri, type ResourceUri, resolveResourceUri } from "@swhub/shared/uri";
import { shortVersion } from "@swhub/shared/version-id";
import { stringify } from "yaml";
import type { CommandContext } from "../../command";
import type { HistoryOptions } from "../../commands/runtime/history";
import type { InfoOptions } from "../../commands/runtime/info";
import type { ListOptions } from "../../commands/runtime/list";
import type { RecoverOptions } from "../../commands/runtime/recover";
import type { RemoveOptions } from "../../commands/runtime/remove";
import type { TagOptions } from "../../commands/runtime/tag";
import type { RuntimeHistoryItemJson, RuntimeInfoJson, RuntimeListItemJson } from "../../output/shapes";
import { openServer, type Server } from "../../remote/open";
import { serverResolver } from "../../remote/resolver";
import { renderHistory } from "./history";
import { renderInfo } from "./info";
import { renderList } from "./list";
import { renderRemoved } from "./remove";
import { renderTags } from "./tag";

/*
 * The read and manage commands on a server instance: the URI is resolved with the shared rules through the
 * server's API (`serverResolver`), then one tRPC call does the work; the server checks access on every call.
 * Output goes through the same renderers, in the same JSON shapes, as on the standalone instance.
 */

async function resolveOnServer(
  ctx: CommandContext,
  target: ResourceUri,
  options: { defaultVersion?: string | null; removed?: boolean } = {},
): Promise<{ server: Server; uri: ResourceUri }> {
  const server = openServer(ctx, target.instance);
  const defaultVersion = options.defaultVersion === null ? undefined : (options.defaultVersion ?? "latest");
  const uri = await resolveResourceUri(target, serverResolver(server, { removed: options.removed }), {
    defaultVersion,
  });
  return { server, uri };
}

export async function list(target: ProjectUri, options: ListOptions, ctx: CommandContext): Promise<void> {
  const server = openServer(ctx, target.instance);
  const page = await server.call((t) =>
    t.runtime.listVersions.query({
      project: target.project,
      name: options.filters.name,
      owner: options.filters.owner,
      latest: options.filters.latest,
      showRemoved: options.showRemoved,
      page: options.page,
      size: options.size,
    }),
  );
  const items: RuntimeListItemJson[] = page.items.map((v) => ({
    project: target.project,
    name: v.name,
    version: v.version,
    tags: v.tags,
    size: v.size,
    created_at: v.createdAt.toISOString(),
    removed: v.removed,
    owner: v.owner.name,
  }));
  renderList(ctx, items, { ...page, project: target.project }, options);
}

export async function history(
  target: ResourceUri,
  options: HistoryOptions,
  ctx: CommandContext,
): Promise<void> {
  const { server, uri } = await resolveOnServer(ctx, target, { defaultVersion: null });
  const items: RuntimeHistoryItemJson[] = [];
  for (let page = 1; ; page++) {
    const got = await server.call((t) =>
      t.runtime.history.query({ project: uri.project, name: uri.name, page, size: 100 }),
    );
    for (const v of got.items) {
      items.push({ version: v.version, tags: v.tags, size: v.size, created_at: v.createdAt.toISOString() });
    }
    if (page * got.size >= got.total || got.items.length === 0) break;
  }
  renderHistory(ctx, items, options);
}

export async function info(target: ResourceUri, options: InfoOptions, ctx: CommandContext): Promise<void> {
  const { server, uri } = await resolveOnServer(ctx, target);
  const v = await server.call((t) =>
    t.runtime.info.query({ project: uri.project, name: uri.name, version: uri.version }),
  );
  const environment = (v.manifest.environment ?? {}) as { mode?: string; python?: string };
  const dependencies = (v.manifest.dependencies ?? {}) as { local_packaged_env?: boolean };
  const wants = (section: InfoOptions["outputFilter"]) =>
    options.outputFilter === section || options.outputFilter === "all";
  const data: RuntimeInfoJson = {
    basic: {
      name: v.name,
      version: v.version,
      uri: formatResourceUri({ ...uri, version: v.version }),
      project: v.project.name,
      tags: v.tags,
      size: v.size,
      created_at: v.createdAt.toISOString(),
      bundle_path: null,
      snapshot_workdir: null,
      mode: environment.mode,
      python: environment.python === undefined ? undefined : String(environment.python),
      packed_env: Boolean(dependencies.local_packaged_env),
    },
  };
  if (wants("runtime_yaml")) data.runtime_yaml = v.runtimeYaml ?? "";
  if (wants("manifest")) data.manifest = v.manifest;
  if (wants("lock")) data.lock = v.lockFiles;
  renderInfo(ctx, data, options, stringify(v.manifest));
}

export async function tag(target: ResourceUri, options: TagOptions, ctx: CommandContext): Promise<void> {
  const { server, uri } = await resolveOnServer(ctx, target);
  const ref = { project: uri.project, name: uri.name };
  const skipped: string[] = [];
  // With -q each tag is tried on its own, so one that can't change leaves the others alone.
  const batches = options.quiet ? options.tags.map((t) => [t]) : options.tags.length ? [options.tags] : [];
  for (const tags of batches) {
    try {
      if (options.remove) await server.call((t) => t.runtime.tagRemove.mutate({ ...ref, tags }));
      else
        await server.call((t) =>
          t.runtime.tagAdd.mutate({ ...ref, version: uri.version, tags, force: options.forceAdd }),
        );
    } catch (error) {
      if (
        !options.quiet ||
        !isAppError(error) ||
        error.code === "unauthenticated" ||
        error.code === "forbidden"
      )
        throw error;
      skipped.push(...tags);
    }
  }
  const now = await server.call((t) => t.runtime.tags.query({ ...ref, version: uri.version }));
  renderTags(
    ctx,
    { name: now.name, version: now.version, tags: now.tags, ...(options.tags.length ? { skipped } : {}) },
    options,
  );
}

export async function remove(
  target: ResourceUri,
  options: RemoveOptions,
  ctx: CommandContext,
): Promise<void> {
  const server = openServer(ctx, target.instance);
  // Deleting for good also reaches removed versions, which only the server can resolve then.
  const uri = await resolveResourceUri(target, serverResolver(server), {}).catch((error: unknown) => {
    if (options.force && isAppError(error) && error.code === "not_found") return target;
    throw error;
  });
  const what = uri.version
    ? `version ${shortVersion(uri.version)} of runtime ${uri.name}`
    : `runtime ${uri.name}`;
  const how = options.force ? "for good (it can't be recovered)" : "(an owner can recover it)";
  const where = `project ${uri.project} on ${uri.instance.alias}`;
  if (!(await ctx.confirm(`Remove ${what} from ${where} ${how}?`, options.yes))) {
    throw new AppError("invalid_input", "removal cancelled; nothing was removed", "answer y, or pass -y");
  }
  const done = await server.call((t) =>
    t.runtime.remove.mutate({
      project: uri.project,
      name: uri.name,
      version: uri.version,
      force: options.force,
    }),
  );
  renderRemoved(
    ctx,
    { project: uri.project, name: done.name, versions: done.versions, permanent: done.purged },
    uri.version,
  );
}

export async function recover(
  target: ResourceUri,
  _options: RecoverOptions,
  ctx: CommandContext,
): Promise<void> {
  const { server, uri } = await resolveOnServer(ctx, target, { defaultVersion: null, removed: true });
  const done = await server.call((t) =>
    t.runtime.recover.mutate({ project: uri.project, name: uri.name, version: uri.version }),
  );
  const data = { project: uri.project, name: done.name, versions: done.versions, permanent: false };
  ctx.output.result(data, (result) => {
    for (const v of result.versions) ctx.output.line(`recovered ${result.name}/version/${shortVersion(v)}`);
  });
}
