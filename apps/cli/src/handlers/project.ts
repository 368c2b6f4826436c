import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { listVersions, storeProjects } from "@swhub/runtime/store/index";
import { AppError } from "@swhub/shared/errors";
import { assertProjectName } from "@swhub/shared/names";
import { formatProjectUri, isLocal, type ProjectUri, parseProjectUri } from "@swhub/shared/uri";
import type { CommandContext } from "../command";
import type { ProjectCreateOptions, ProjectListOptions, ProjectOptions } from "../commands/project";
import { findInstance, saveConfig, uriContext } from "../config";
import { humanTime } from "../output/format";
import type { ProjectJson } from "../output/shapes";
import { openServer } from "../remote/open";
import { openStore } from "../store";

/** `swcli project list`: the instance's projects (on a server, those the user can see). JSON: `ProjectJson[]`. */
export async function list(options: ProjectListOptions, ctx: CommandContext): Promise<void> {
  const found = findInstance(ctx.config, options.instance);
  const current = found.instance.current_project;
  let items: ProjectJson[];
  let total: number;
  if (found.local) {
    const names = await storeProjects(openStore(ctx));
    total = names.length;
    items = names.slice((options.page - 1) * options.size, options.page * options.size).map((name) => ({
      instance: found.alias,
      name,
      id: name,
      current: name === current,
      owner: null,
      created_at: null,
    }));
  } else {
    const page = await openServer(ctx, found.alias).call((t) =>
      t.project.list.query({ page: options.page, size: options.size }),
    );
    total = page.total;
    items = page.items.map((p) => ({
      instance: found.alias,
      name: p.name,
      id: p.id,
      current: p.name === current || p.id === current,
      owner: p.owner.name,
      created_at: p.createdAt.toISOString(),
    }));
  }
  ctx.output.result(items, (rows) => {
    if (total === 0) {
      ctx.output.line(`no projects on ${found.alias}; create one with: swcli project create NAME`);
      return;
    }
    ctx.output.table(
      [{ header: "" }, { header: "name" }, { header: "owner" }, { header: "created" }],
      rows.map((r) => [
        r.current ? "*" : "",
        r.name,
        r.owner ?? "",
        r.created_at ? humanTime(new Date(r.created_at)) : "",
      ]),
    );
    const pages = Math.ceil(total / options.size);
    if (pages > 1) ctx.output.line(`page ${options.page} of ${pages} (${total} projects)`);
  });
}

/** `swcli project create`: a directory in the standalone store, or a project on the server (you own it). */
export async function create(options: ProjectCreateOptions, ctx: CommandContext): Promise<void> {
  const uri = projectOnly(ctx, options.project);
  assertProjectName(uri.project);
  if (isLocal(uri.instance)) {
    const dir = join(openStore(ctx).root, uri.project);
    if (await isDirectory(dir)) throw new AppError("conflict", `project ${uri.project} already exists`);
    await mkdir(join(dir, "runtime"), { recursive: true });
  } else {
    await openServer(ctx, uri.instance).call((t) =>
      t.project.create.mutate({ name: uri.project, isPublic: options.isPublic }),
    );
  }
  ctx.output.result({ instance: uri.instance.alias, name: uri.project }, () =>
    ctx.output.line(`created project ${formatProjectUri(uri)}`),
  );
}

/** `swcli project select`: the instance's `current_project` (it must exist and be readable). */
export async function select(options: ProjectOptions, ctx: CommandContext): Promise<void> {
  const uri = projectOnly(ctx, options.project);
  const name = await checkProject(ctx, uri);
  const instance = ctx.config.data.instances[uri.instance.alias]!;
  instance.current_project = name;
  ctx.config.data.current_instance = uri.instance.alias;
  saveConfig(ctx.config);
  ctx.output.line(`current project: ${uri.instance.alias}/project/${name}`);
}

/** `swcli project info`: the project's details. */
export async function info(options: ProjectOptions, ctx: CommandContext): Promise<void> {
  const uri = projectOnly(ctx, options.project);
  if (isLocal(uri.instance)) {
    await checkProject(ctx, uri);
    const store = openStore(ctx);
    const data = {
      instance: uri.instance.alias,
      name: uri.project,
      path: join(store.root, uri.project),
      runtimes: (await listVersions(store, { project: uri.project, latest: true, page: 1, size: 1 })).total,
    };
    ctx.output.result(data, (d) =>
      printFields(ctx, [
        ["name", d.name],
        ["instance", d.instance],
        ["path", d.path],
        ["runtimes", String(d.runtimes)],
      ]),
    );
    return;
  }
  const p = await openServer(ctx, uri.instance).call((t) => t.project.get.query({ project: uri.project }));
  const data = {
    instance: uri.instance.alias,
    id: p.id,
    name: p.name,
    public: p.isPublic,
    description: p.description,
    owner: p.owner.name,
    role: p.access,
    runtimes: p.runtimeCount,
    members: p.memberCount,
    created_at: p.createdAt.toISOString(),
  };
  ctx.output.result(data, (d) =>
    printFields(ctx, [
      ["name", d.name],
      ["instance", `${d.instance} (${uri.instance.uri})`],
      ["id", d.id],
      ["visibility", d.public ? "public" : "private"],
      ["owner", d.owner],
      ["your role", d.role],
      ["runtimes", String(d.runtimes)],
      ["members", String(d.members)],
      ["created", humanTime(new Date(d.created_at))],
      ["description", d.description],
    ]),
  );
}

function printFields(ctx: CommandContext, fields: [string, string][]): void {
  for (const [label, value] of fields) if (value) ctx.output.line(`${`${label}:`.padEnd(13)}${value}`);
}

function projectOnly(ctx: CommandContext, input: string): ProjectUri {
  const parsed = parseProjectUri(input, uriContext(ctx.config));
  if (parsed.rest.length > 0) {
    throw new AppError(
      "invalid_input",
      `"${input}" names more than a project`,
      `give a project such as ${formatProjectUri({ instance: parsed.instance, project: parsed.project })}`,
    );
  }
  return { instance: parsed.instance, project: parsed.project };
}

/** The project's name, after checking it exists (on a server: that the user may read it). */
async function checkProject(ctx: CommandContext, uri: ProjectUri): Promise<string> {
  if (isLocal(uri.instance)) {
    if (!(await isDirectory(join(openStore(ctx).root, uri.project)))) {
      throw new AppError(
        "not_found",
        `no project ${uri.project} on the standalone instance`,
        `create it: swcli project create ${uri.project}`,
      );
    }
    return uri.project;
  }
  const p = await openServer(ctx, uri.instance).call((t) => t.project.get.query({ project: uri.project }));
  return p.name;
}

const isDirectory = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
