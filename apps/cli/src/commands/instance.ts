import { defineCommand, defineGroup } from "../command";
import { UsageError } from "../errors";
import { arg, flag, optionalArg, text } from "../parse/options";

export type LoginCredentials =
  | { kind: "token"; token: string }
  | { kind: "password"; username: string; password: string };

export interface InstanceLoginOptions {
  /** The server URL; none means log in again to the current instance. */
  instance?: string;
  /** The name swcli will know the instance by. */
  alias: string;
  credentials: LoginCredentials;
}

export interface InstanceSelectOptions {
  /** Alias, or the URL of exactly one logged-in instance. */
  instance: string;
}

export interface InstanceLogoutOptions {
  /** Alias or URL; none means the current instance. */
  instance?: string;
  yes: boolean;
}

export interface InstanceInfoOptions {
  instance?: string;
}

export type InstanceListOptions = Record<never, never>;

const login = defineCommand({
  name: "login",
  summary: "Log in to a server instance and remember it under an alias",
  args: {
    instance: optionalArg("url", "server URL, e.g. https://hub.example.com (default: the current instance)"),
  },
  options: {
    alias: text("--alias <alias>", "name for this instance in swcli (required)"),
    token: text("--token <token>", "API token (instead of --username/--password)"),
    username: text("--username <name>", "user name"),
    password: text("--password <password>", "password"),
  },
  examples: [
    "swcli instance login https://hub.example.com --alias hub --token $SW_TOKEN",
    "swcli instance login http://127.0.0.1:8082 --alias dev --username admin --password secret",
  ],
  parse(raw): InstanceLoginOptions {
    if (!raw.alias) throw new UsageError("missing required option '--alias <alias>'");
    if (raw.token && (raw.username || raw.password)) {
      throw new UsageError("give --token, or --username and --password, not both");
    }
    if (raw.token)
      return { instance: raw.instance, alias: raw.alias, credentials: { kind: "token", token: raw.token } };
    if (!raw.username || !raw.password) {
      throw new UsageError("give --token TOKEN, or both --username USER and --password PASSWORD");
    }
    return {
      instance: raw.instance,
      alias: raw.alias,
      credentials: { kind: "password", username: raw.username, password: raw.password },
    };
  },
  handler: () => import("../handlers/instance").then((module) => module.login),
});

const list = defineCommand({
  name: "list",
  aliases: ["ls"],
  summary: "List the instances swcli knows; * marks the current one",
  parse: (): InstanceListOptions => ({}),
  handler: () => import("../handlers/instance").then((module) => module.list),
});

const select = defineCommand({
  name: "select",
  aliases: ["use"],
  summary: "Make an instance the default for every command",
  args: { instance: arg("instance", "alias (or URL) of the instance") },
  parse: (raw): InstanceSelectOptions => raw,
  handler: () => import("../handlers/instance").then((module) => module.select),
});

const logout = defineCommand({
  name: "logout",
  summary: "Forget a server instance and its token",
  args: { instance: optionalArg("instance", "alias or URL (default: the current instance)") },
  options: { yes: flag("-y, --yes", "don't ask for confirmation") },
  parse: (raw): InstanceLogoutOptions => raw,
  handler: () => import("../handlers/instance").then((module) => module.logout),
});

const info = defineCommand({
  name: "info",
  summary: "Show an instance's details",
  args: { instance: optionalArg("instance", "alias or URL (default: the current instance)") },
  parse: (raw): InstanceInfoOptions => raw,
  handler: () => import("../handlers/instance").then((module) => module.info),
});

export const instanceGroup = defineGroup({
  name: "instance",
  summary: "Instances: log in to servers, pick the default one",
  commands: [login, list, select, logout, info],
});
