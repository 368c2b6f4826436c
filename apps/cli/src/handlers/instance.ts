import { hostname } from "node:os";
import { AppError, invalidInput, isAppError } from "@swhub/shared/errors";
import type { CommandContext } from "../command";
import type {
  InstanceInfoOptions,
  InstanceListOptions,
  InstanceLoginOptions,
  InstanceLogoutOptions,
  InstanceSelectOptions,
} from "../commands/instance";
import { findInstance, type InstanceRef, localInstance, saveConfig, starwhaleTimestamp } from "../config";
import type { InstanceInfoJson, InstanceJson } from "../output/shapes";
import { connectServer, type ServerConnection } from "../remote/server";

/**
 * `swcli instance login`: check the token (or exchange the password for a new API token), then store
 * `instances.<alias> = { uri, type: cloud, sw_token, user_name, user_role, current_project, updated_at }`
 * and make it the current instance. Nothing is written unless the server accepted the credentials.
 */
export async function login(options: InstanceLoginOptions, ctx: CommandContext): Promise<void> {
  const { alias } = options;
  if (alias === localInstance) throw invalidInput(`"${localInstance}" is the standalone instance's alias`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(alias)) {
    throw invalidInput(
      `alias "${alias}" is not valid`,
      "use letters, digits, '.', '_' and '-', starting with a letter or digit",
    );
  }
  const previous = ctx.config.data.instances[alias];
  const url = serverUrl(options.instance ?? (previous?.uri !== localInstance ? previous?.uri : undefined));
  const { credentials } = options;

  let token: string;
  let user: { name: string; isAdmin: boolean };
  if (credentials.kind === "token") {
    token = credentials.token.replace(/^Bearer\s+/i, "").trim();
    const server = connectServer({ alias, url, signal: ctx.signal, token });
    const me = await refusedAs(server, "token", () => server.call((t) => t.auth.me.query()));
    if (!me) throw new AppError("unauthenticated", `${url} did not accept the token`);
    user = me;
  } else {
    const server = connectServer({ alias, url, signal: ctx.signal, cookies: true });
    user = await refusedAs(server, "password", () =>
      server.call((t) =>
        t.auth.signIn.mutate({ name: credentials.username, password: credentials.password }),
      ),
    );
    const created = await server.call((t) =>
      t.token.create.mutate({ name: `swcli on ${hostname() || "this machine"} (${alias})` }),
    );
    token = created.token;
    // The session was only the way to the token.
    await server.call((t) => t.auth.signOut.mutate()).catch(() => undefined);
  }

  ctx.config.data.instances[alias] = {
    ...(previous?.uri === url ? previous : {}),
    uri: url,
    type: "cloud",
    sw_token: token,
    user_name: user.name,
    user_role: user.isAdmin ? "admin" : "normal",
    updated_at: starwhaleTimestamp(new Date()),
  };
  ctx.config.data.current_instance = alias;
  saveConfig(ctx.config);
  ctx.output.line(`logged in to ${url} as ${user.name}; current instance: ${alias}`);
  if (!ctx.config.data.instances[alias]?.current_project) {
    ctx.output.line(
      `choose a project: swcli project list, then swcli project select cloud://${alias}/project/NAME`,
    );
  }
}

/** The server's origin from what the user typed; no scheme means http://, as in Starwhale. */
function serverUrl(input: string | undefined): string {
  if (!input)
    throw invalidInput("give the server's URL", "swcli instance login https://hub.example.com --alias hub");
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `http://${input}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidInput(`"${input}" is not a URL`, "give the server's address, e.g. https://hub.example.com");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidInput(
      `"${input}" is not an http(s) URL`,
      "give the server's address, e.g. https://hub.example.com",
    );
  }
  return url.origin;
}

/** Credentials refused at login are the user's mistake, not an expired login: say so plainly. */
async function refusedAs<T>(
  server: ServerConnection,
  what: "token" | "password",
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isAppError(error) && error.code === "unauthenticated") {
      throw new AppError(
        "unauthenticated",
        what === "token"
          ? `${server.url} refused the token: ${error.message.replace(/^[^:]+: /, "")}`
          : `${server.url} refused the user name or password`,
        what === "token" ? "create a token in the console (Settings → API tokens)" : undefined,
      );
    }
    throw error;
  }
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
