import type { Store } from "@swhub/runtime/store/index";
import { storeResolver } from "@swhub/runtime/store/index";
import { AppError } from "@swhub/shared/errors";
import {
  formatProjectUri,
  isLocal,
  type ProjectUri,
  parseProjectUri,
  parseResourceUri,
  type ResourceUri,
  resolveResourceUri,
} from "@swhub/shared/uri";
import type { CommandContext } from "./command";
import { uriContext } from "./config";

/*
 * What every command on the standalone instance does first: open the store the config names, and turn the
 * user's runtime or project URI into full names with the shared URI rules, refusing URIs on a server.
 */

export function openStore(ctx: CommandContext): Store {
  return { root: ctx.config.storageRoot };
}

export interface LocalTarget {
  /**
   * `swcli runtime <command>`, for messages. Standalone-only commands (activate, extract, restore, build, lock,
   * dockerize) tell the user to copy a server runtime first; the others say servers are not supported yet.
   */
  command: string;
  standaloneOnly?: boolean;
}

/**
 * The one "standalone instance only" rule: refuses a URI on a server instance with a message that says what to do
 * instead. `what` is what the URI names: a runtime can be copied to the standalone instance first; a project can't
 * be built into; `current` is the current instance, which Starwhale's build and lock check whatever URI they are
 * given (spec §0).
 */
export function requireLocal(
  uri: ProjectUri,
  input: string,
  target: LocalTarget,
  what: "runtime" | "project" | "current" = "runtime",
): void {
  if (isLocal(uri.instance)) return;
  if (target.standaloneOnly) {
    const where = input
      ? `${input} is on ${uri.instance.alias}`
      : `the current instance is "${uri.instance.alias}"`;
    throw new AppError(
      "invalid_input",
      `swcli ${target.command} works on the standalone instance only, and ${where}`,
      what === "runtime"
        ? `copy it first: swcli runtime copy ${input} .`
        : what === "current"
          ? "select it first: swcli instance select local"
          : "give a local project (-p local/project/NAME), then copy the runtime to the server with swcli runtime copy",
    );
  }
  throw new AppError(
    "invalid_input",
    `swcli ${target.command} on a server instance (${uri.instance.alias}) is not available yet`,
    "copy the runtime to the standalone instance: swcli runtime copy URI .",
  );
}

/** For build and lock: the current instance must be the standalone one. */
export function requireStandaloneCurrent(ctx: CommandContext): void {
  const current = parseProjectUri("", uriContext(ctx.config));
  requireLocal(current, "", { command: ctx.command, standaloneOnly: true }, "current");
}

export interface ResolveRuntimeOptions extends LocalTarget {
  /**
   * What an omitted version means: `latest` by default; `null` keeps it omitted (`remove` and `recover` then act
   * on every version).
   */
  defaultVersion?: string | null;
  /** Resolve among removed versions (`recover`). */
  removed?: boolean;
}

export interface LocalRuntime {
  store: Store;
  /** Resolved: full name and, unless the version was omitted with `defaultVersion: null`, full version id. */
  uri: ResourceUri;
}

/** A runtime URI of the standalone instance, resolved against the store: names, tags and prefixes made full. */
export async function resolveLocalRuntime(
  ctx: CommandContext,
  input: string,
  options: ResolveRuntimeOptions,
): Promise<LocalRuntime> {
  const parsed = parseResourceUri(input, uriContext(ctx.config), { type: "runtime" });
  requireLocal(parsed, input, options);
  const store = openStore(ctx);
  const uri = await resolveResourceUri(
    parsed,
    storeResolver(store, { removed: options.removed }),
    options.defaultVersion === null ? {} : { defaultVersion: options.defaultVersion ?? "latest" },
  );
  return { store, uri };
}

/** The resolved version of a runtime resolved with a default version (always set then). */
export function versionOf(uri: ResourceUri): string {
  if (!uri.version) throw new AppError("internal", `no version resolved for ${uri.name}`);
  return uri.version;
}

/** A project of the standalone instance (`-p/--project`), the current project when `input` is empty. */
export function resolveLocalProject(
  ctx: CommandContext,
  input: string | undefined,
  target: LocalTarget,
): { store: Store; project: ProjectUri } {
  const project = projectTarget(ctx, input);
  requireLocal(project, input ?? "", target, "project");
  return { store: openStore(ctx), project };
}

/** Which instance and project a `-p/--project` value names, before deciding how to serve it. */
export function projectTarget(ctx: CommandContext, input: string | undefined): ProjectUri {
  const project = parseProjectUri(input ?? "", uriContext(ctx.config));
  if (project.rest.length > 0) {
    throw new AppError(
      "invalid_input",
      `"${input}" names more than a project`,
      `give a project such as ${formatProjectUri({ ...project, rest: [] } as ProjectUri)}`,
    );
  }
  return { instance: project.instance, project: project.project };
}

/** A runtime URI parsed (not resolved), to tell the standalone instance from a server. */
export function runtimeTarget(ctx: CommandContext, input: string): ResourceUri {
  return parseResourceUri(input, uriContext(ctx.config), { type: "runtime" });
}
