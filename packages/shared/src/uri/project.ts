import { consoleUrlToResource, looksLikeConsoleUrl, parseConsoleUrl } from "./console-url";
import { defaultInstance, instanceByAlias, splitScheme, uriError } from "./instance";
import { checkProjectRef, splitPath } from "./segments";
import type { InstanceRef, ProjectUri, UriContext } from "./types";

export interface ParsedProjectUri extends ProjectUri {
  /** Path segments after the project, handed on to resource parsing. */
  rest: string[];
  /** True when the string named its instance (`local/...`, `cloud://a/...`, a URL), not only a project name. */
  explicitInstance: boolean;
}

export function currentProjectOf(ctx: UriContext, instance: InstanceRef, input: string): string {
  const project = ctx.instances[instance.alias]?.currentProject;
  if (!project) {
    throw uriError(
      input,
      `instance "${instance.alias}" has no current project`,
      "choose one with `swcli project select PROJECT`",
    );
  }
  return project;
}

/**
 * A project URI: `PROJECT` (on the current instance), `ALIAS/project/PROJECT`, `ALIAS/PROJECT`,
 * `cloud://ALIAS/project/PROJECT`, `http(s)://HOST/project/PROJECT`, or a console URL. Empty means the current
 * project of the current instance.
 */
export function parseProjectUri(input: string, ctx: UriContext): ParsedProjectUri {
  const raw = input.trim();
  if (raw === "") {
    const instance = defaultInstance(ctx, input);
    return { instance, project: currentProjectOf(ctx, instance, input), rest: [], explicitInstance: false };
  }
  if (looksLikeConsoleUrl(raw)) {
    const url = parseConsoleUrl(raw, ctx);
    const rest = url.name === undefined ? [] : consoleUrlToRest(url, raw);
    return { instance: url.instance, project: url.project, rest, explicitInstance: true };
  }
  const scheme = splitScheme(raw, ctx);
  if (scheme) return projectFromPath(scheme.instance, splitPath(scheme.path, input), ctx, input);
  const segments = splitPath(raw, input);
  if (segments.length === 1) {
    return {
      instance: defaultInstance(ctx, input),
      project: checkProjectRef(raw, input),
      rest: [],
      explicitInstance: false,
    };
  }
  return projectFromPath(instanceByAlias(ctx, segments[0]!, input), segments.slice(1), ctx, input);
}

function projectFromPath(
  instance: InstanceRef,
  path: string[],
  ctx: UriContext,
  input: string,
): ParsedProjectUri {
  if (path.length === 0)
    return { instance, project: currentProjectOf(ctx, instance, input), rest: [], explicitInstance: true };
  if (path[0] === "project") {
    if (path.length < 2) throw uriError(input, "missing the project name after 'project/'");
    return {
      instance,
      project: checkProjectRef(path[1]!, input),
      rest: path.slice(2),
      explicitInstance: true,
    };
  }
  if (path.length === 1)
    return { instance, project: checkProjectRef(path[0]!, input), rest: [], explicitInstance: true };
  throw uriError(input, `expected "project/PROJECT" after the instance, got "${path.join("/")}"`);
}

function consoleUrlToRest(url: ReturnType<typeof parseConsoleUrl>, input: string): string[] {
  const resource = consoleUrlToResource(url, input);
  return [resource.type, resource.name, ...(resource.version ? ["version", resource.version] : [])];
}
