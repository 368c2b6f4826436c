import { consoleUrlToResource, looksLikeConsoleUrl, parseConsoleUrl } from "./console-url";
import { defaultInstance, instanceByAlias, splitScheme, uriError } from "./instance";
import { currentProjectOf } from "./project";
import { checkNameRef, checkProjectRef, checkVersionRef, splitPath } from "./segments";
import {
  type InstanceRef,
  isLocal,
  type ProjectUri,
  type ResourceType,
  type ResourceUri,
  resourceTypes,
  type UriContext,
} from "./types";

export interface ResourceParseOptions {
  /**
   * The type the command works on; a URI naming another type is an error. Without it, the type is read from the URI,
   * and short forms are runtimes.
   */
  type?: ResourceType;
  /** Where short forms (`NAME`, `NAME/VERSION`) live. Default: the current project of the current instance. */
  project?: ProjectUri;
}

/** Whether the string names its own instance and project, rather than being a short form. */
export function namesItsProject(input: string): boolean {
  const raw = input.trim();
  if (/^(cloud|https?):\/\//i.test(raw)) return true;
  const segments = raw.split("/");
  return segments.length >= 4 && segments[1] === "project";
}

const isResourceType = (word: string | undefined): word is ResourceType =>
  word !== undefined && (resourceTypes as readonly string[]).includes(word);

/**
 * Parses a resource URI. Pure: names are not looked up, so a bare word stays a name marked `bareWord`, and tags,
 * prefixes and `latest` stay as typed (see resolve.ts).
 *
 * Forms (spec §1, with DESIGN.md's differences):
 * - `NAME`, `NAME/VERSION`, `NAME/version/VERSION`, `runtime/NAME[...]` in the default project;
 * - `INSTANCE/project/PROJECT/[runtime/]NAME[/version/VERSION]` where INSTANCE is `local`, an alias,
 *   `cloud://ALIAS` or a server URL;
 * - the seed's `cloud://ALIAS/project/runtime/PROJECT/NAME[/version/VERSION]`;
 * - console URLs `https://HOST/projects/PROJECT/runtimes/NAME/versions/VERSION/...`.
 */
export function parseResourceUri(
  input: string,
  ctx: UriContext,
  options: ResourceParseOptions = {},
): ResourceUri {
  const raw = input.trim();
  const expected = options.type;
  if (raw === "") throw uriError(input, "it is empty");
  if (looksLikeConsoleUrl(raw)) return consoleUrlToResource(parseConsoleUrl(raw, ctx), input, expected);

  const scheme = splitScheme(raw, ctx);
  if (scheme) {
    const path = splitPath(scheme.path, input);
    if (path[0] !== "project" || path.length < 3) {
      throw uriError(input, "expected INSTANCE/project/PROJECT/runtime/NAME[/version/VERSION]");
    }
    return parseInProject(scheme.instance, path[1]!, path.slice(2), expected, input);
  }

  const segments = splitPath(raw, input);
  // Starwhale reads instance and project only from URIs long enough to hold them: `a/project/p/name` at least.
  if (namesItsProject(raw)) {
    return parseInProject(
      instanceByAlias(ctx, segments[0]!, input),
      segments[2]!,
      segments.slice(3),
      expected,
      input,
    );
  }
  const instance = options.project?.instance ?? defaultInstance(ctx, input);
  const project = options.project?.project ?? currentProjectOf(ctx, instance, input);
  const resource = parseRemainder(segments, expected, input, !isLocal(instance));
  return { instance, project, ...resource };
}

function parseInProject(
  instance: InstanceRef,
  project: string,
  rest: string[],
  type: ResourceType | undefined,
  input: string,
): ResourceUri {
  checkProjectRef(project, input);
  const remote = !isLocal(instance);
  try {
    return { instance, project, ...parseRemainder(rest, type, input, remote) };
  } catch (error) {
    // The seed's own example `cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/V` puts the type before the
    // project. Starwhale reads `runtime` as the project and fails; we read it as the seed's comment says.
    if (isResourceType(project) && (type === undefined || project === type) && rest.length >= 2) {
      return {
        instance,
        project: checkProjectRef(rest[0]!, input),
        ...parseRemainder([project, ...rest.slice(1)], type, input, remote),
      };
    }
    throw error;
  }
}

type Remainder = Pick<ResourceUri, "type" | "name" | "version" | "bareWord">;

function parseRemainder(
  segments: string[],
  expected: ResourceType | undefined,
  input: string,
  remote: boolean,
): Remainder {
  let rest = segments;
  let type: ResourceType = expected ?? "runtime";
  if (rest.length === 0) throw uriError(input, `it names no ${type}`);
  if (rest.length > 3 || (rest.length > 1 && isResourceType(rest[0]))) {
    const declared = rest[0];
    if (!isResourceType(declared)) {
      throw uriError(
        input,
        `"${declared}" is not a resource type; a long URI reads PROJECT/${type}/NAME/version/VERSION`,
      );
    }
    if (expected && declared !== expected)
      throw uriError(input, `it names a ${declared}, but a ${expected} is expected`);
    type = declared;
    rest = rest.slice(1);
    if (rest.length > 3)
      throw uriError(input, `too many segments after "${type}/"; expected NAME/version/VERSION`);
  }
  const [first, second, third] = rest;
  const name = checkNameRef(first!, input, remote);
  if (rest.length === 1) return { type, name, bareWord: true };
  if (rest.length === 2) {
    if (first === "version")
      throw uriError(input, `it gives a version but no ${type} name; use NAME/version/${second}`);
    return { type, name, version: checkVersionRef(second!, input) };
  }
  if (second !== "version") {
    throw uriError(
      input,
      `missing the version field: expected NAME/version/VERSION, got "${rest.join("/")}"`,
    );
  }
  return { type, name, version: checkVersionRef(third!, input) };
}
