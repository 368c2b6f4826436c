import { AppError } from "../errors";
import { instanceByAlias } from "./instance";
import { currentProjectOf, parseProjectUri } from "./project";
import { namesItsProject, parseResourceUri } from "./resource";
import { type InstanceRef, LOCAL, type ResourceUri, type UriContext } from "./types";

export interface CopyDestination {
  instance: InstanceRef;
  project: string;
  name: string;
}

export interface CopyDestinationOptions {
  /** `-dlp/--dest-local-project`: the local project for a short destination. */
  destLocalProject?: string;
}

/**
 * Where `runtime copy SRC DEST` puts the runtime (spec §5, one implementation for every direction):
 * - `.` or empty: the source's name, in the local current project (or `-dlp`);
 * - a short form (`NAME`, `NAME/version/V`): that name in the local current project (or `-dlp`);
 * - a project URI with an instance (`cloud://a/project/p`, `a/project/p`, a URL): the source's name there;
 * - a full runtime URI: that project and name.
 * The version is always the source's: a version in DEST is ignored, as in Starwhale.
 */
export function resolveCopyDestination(
  source: ResourceUri,
  destInput: string,
  ctx: UriContext,
  options: CopyDestinationOptions = {},
): CopyDestination {
  const dest = destInput.trim();
  const local = ctx.instances[LOCAL] ? instanceByAlias(ctx, LOCAL, destInput) : { alias: LOCAL, uri: LOCAL };
  const localProject = options.destLocalProject ?? currentProjectOf(ctx, local, destInput);
  if (dest === "" || dest === ".") return { instance: local, project: localProject, name: source.name };

  const asProject = tryProjectOnly(dest, ctx);
  if (asProject && options.destLocalProject !== undefined) throw dlpConflict();
  if (asProject) return { ...asProject, name: source.name };

  const resource = parseResourceUri(dest, ctx, {
    type: "runtime",
    project: { instance: local, project: localProject },
  });
  if (namesItsProject(dest) && options.destLocalProject !== undefined) throw dlpConflict();
  return { instance: resource.instance, project: resource.project, name: resource.name };
}

/** A destination that names an instance and a project but no runtime, e.g. `cloud://pre-bare/project/mnist`. */
function tryProjectOnly(
  dest: string,
  ctx: UriContext,
): { instance: InstanceRef; project: string } | undefined {
  if (!dest.includes("/")) return undefined;
  const looksLikeProject =
    /^(cloud:\/\/[^/]+|https?:\/\/[^/]+|[^/:]+)\/(project\/[^/]+|projects\/[^/]+(\/runtimes)?)\/?$/i.test(
      dest,
    );
  if (!looksLikeProject) return undefined;
  const parsed = parseProjectUri(dest, ctx);
  return parsed.explicitInstance && parsed.rest.length === 0
    ? { instance: parsed.instance, project: parsed.project }
    : undefined;
}

function dlpConflict(): AppError {
  return new AppError(
    "invalid_input",
    "--dest-local-project (-dlp) works only with a short destination such as NAME or '.'",
    "drop -dlp, or give the destination as NAME",
  );
}
