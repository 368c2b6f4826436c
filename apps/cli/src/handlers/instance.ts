import { invalidInput } from "@swhub/shared/errors";
import type { CommandContext } from "../command";
import type {
  InstanceInfoOptions,
  InstanceListOptions,
  InstanceLoginOptions,
  InstanceLogoutOptions,
  InstanceSelectOptions,
} from "../commands/instance";
import { findInstance, type InstanceRef, localInstance, saveConfig } from "../config";
import { NotImplemented } from "../errors";
import type { InstanceInfoJson, InstanceJson } from "../output/shapes";

/**
 * `swcli instance login`: exchange the credentials for a token at the server, then store
 * `instances.<alias> = { uri, type: cloud, sw_token, user_name, user_role, current_project, updated_at }`
 * and make it the current instance. Needs the server's auth API.
 */
export async function login(_options: InstanceLoginOptions, ctx: CommandContext): Promise<void> {
  throw new NotImplemented(ctx.command);
}

export async function list(_options: InstanceListOptions, ctx: CommandContext): Promise<void> {
  const current = ctx.config.data.current_instance;
  const rows = Object.entries(ctx.config.data.instances).map(([alias, instance]) =>
    toJson({ alias, instance, local: instance.uri === localInstance }, current),
  );
  ctx.output.result(rows, (items) =>
    ctx.output.table(
      [
        { header: "" },
        { header: "alias" },
        { header: "uri" },
        { header: "user" },
        { header: "role" },
        { header: "project" },
        { header: "updated" },
      ],
      items.map((item) => [
        item.current ? "*" : "",
        item.alias,
        item.uri,
        item.user_name ?? "",
        item.user_role ?? "",
        item.current_project ?? "",
        item.updated_at ?? "",
      ]),
    ),
  );
}

export async function select(options: InstanceSelectOptions, ctx: CommandContext): Promise<void> {
  const found = findInstance(ctx.config, options.instance);
  ctx.config.data.current_instance = found.alias;
  saveConfig(ctx.config);
  ctx.output.line(`current instance: ${found.alias} (${found.instance.uri})`);
}

export async function logout(options: InstanceLogoutOptions, ctx: CommandContext): Promise<void> {
  const found = findInstance(ctx.config, options.instance);
  if (found.local) throw invalidInput("the local instance can't be logged out of");
  if (!(await ctx.confirm(`Log out of ${found.alias} (${found.instance.uri})?`, options.yes))) {
    throw invalidInput("logout cancelled", "pass --yes to skip the question");
  }
  const { data } = ctx.config;
  delete data.instances[found.alias];
  if (data.current_instance === found.alias) data.current_instance = localInstance;
  saveConfig(ctx.config);
  ctx.output.line(`logged out of ${found.alias}; current instance: ${data.current_instance}`);
}

export async function info(options: InstanceInfoOptions, ctx: CommandContext): Promise<void> {
  const found = findInstance(ctx.config, options.instance);
  const data: InstanceInfoJson = {
    ...toJson(found, ctx.config.data.current_instance),
    storage_root: found.local ? ctx.config.storageRoot : null,
    config_path: ctx.config.path,
  };
  ctx.output.result(data, (item) => {
    const fields: [string, string | null][] = [
      ["alias", item.alias],
      ["uri", item.uri],
      ["type", item.type],
      ["current", item.current ? "yes" : "no"],
      ["user", item.user_name],
      ["role", item.user_role],
      ["project", item.current_project],
      ["updated", item.updated_at],
      ["storage root", item.storage_root],
      ["config", item.config_path],
    ];
    for (const [label, value] of fields) if (value) ctx.output.line(`${`${label}:`.padEnd(14)}${value}`);
  });
}

function toJson({ alias, instance, local }: InstanceRef, current: string): InstanceJson {
  return {
    alias,
    uri: instance.uri,
    type: instance.type ?? (local ? "standalone" : "cloud"),
    user_name: instance.user_name ?? null,
    user_role: instance.user_role ?? null,
    current_project: instance.current_project ?? null,
    updated_at: instance.updated_at ?? null,
    current: alias === current,
    logged_in: local || Boolean(instance.sw_token),
  };
}
