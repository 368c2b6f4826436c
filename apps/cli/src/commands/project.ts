import { defineCommand, defineGroup } from "../command";
import { arg, flag, integer, text } from "../parse/options";

export interface ProjectListOptions {
  /** Instance alias or URL; default the current instance. */
  instance?: string;
  page: number;
  size: number;
}

export interface ProjectOptions {
  /** Project URI: a name on the current instance, or `instance/project/name`. */
  project: string;
}

export interface ProjectCreateOptions extends ProjectOptions {
  /** Server only: anyone may read it (the default is members only). */
  isPublic: boolean;
}

const list = defineCommand({
  name: "list",
  aliases: ["ls"],
  summary: "List the projects of an instance; * marks the current one",
  options: {
    instance: text("-i, --instance <instance>", "instance alias or URL (default: the current instance)"),
    page: integer("--page <n>", "page number", { fallback: 1, min: 1 }),
    size: integer("--size <n>", "projects per page", { fallback: 20, min: 1 }),
  },
  parse: (raw): ProjectListOptions => raw,
  handler: () => import("../handlers/project").then((module) => module.list),
});

const create = defineCommand({
  name: "create",
  aliases: ["new", "add"],
  summary: "Create a project",
  args: { project: arg("project", "project URI: NAME, or cloud://ALIAS/project/NAME for a server") },
  options: { isPublic: flag("--public", "on a server: readable by everyone, not only members") },
  examples: ["swcli project create myproject", "swcli project create cloud://hub/project/mnist --public"],
  parse: (raw): ProjectCreateOptions => raw,
  handler: () => import("../handlers/project").then((module) => module.create),
});

const select = defineCommand({
  name: "select",
  aliases: ["use"],
  summary: "Make a project the default of its instance",
  args: { project: arg("project", "project URI") },
  parse: (raw): ProjectOptions => raw,
  handler: () => import("../handlers/project").then((module) => module.select),
});

const info = defineCommand({
  name: "info",
  summary: "Show a project's details",
  args: { project: arg("project", "project URI") },
  parse: (raw): ProjectOptions => raw,
  handler: () => import("../handlers/project").then((module) => module.info),
});

export const projectGroup = defineGroup({
  name: "project",
  aliases: ["prj"],
  summary: "Projects: list, create, pick the default one",
  commands: [list, create, select, info],
});
