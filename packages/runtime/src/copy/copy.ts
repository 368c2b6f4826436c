import { AppError } from "@swhub/shared/errors";
import { isBuiltinTag } from "@swhub/shared/names";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import {
  type InstanceRef,
  parseResourceUri,
  type RuntimeResolver,
  resolveCopyDestination,
  resolveResourceUri,
  type UriContext,
} from "@swhub/shared/uri";
import type { CopyRef, CopyTransport } from "./transport";

export interface CopyPlan {
  src: CopyRef;
  dest: CopyRef;
}

export interface ResolveCopyOptions {
  /** `-dlp/--dest-local-project`. */
  destLocalProject?: string;
}

/**
 * `runtime copy SRC DEST` with the shared rules (spec §5): SRC resolved on its instance (no version means
 * `latest`), DEST read as `.`, a name, a project URI or a runtime URI, and the destination version is always the
 * source's. `resolverFor` answers for the instance a URI names.
 */
export async function resolveCopy(
  srcInput: string,
  destInput: string,
  ctx: UriContext,
  resolverFor: (instance: InstanceRef) => RuntimeResolver,
  options: ResolveCopyOptions = {},
): Promise<CopyPlan> {
  const parsed = parseResourceUri(srcInput, ctx, { type: "runtime" });
  const src = await resolveResourceUri(parsed, resolverFor(parsed.instance));
  const dest = resolveCopyDestination(src, destInput, ctx, options);
  const version = src.version!;
  return {
    src: { instance: src.instance, project: src.project, name: src.name, version },
    dest: { ...dest, version },
  };
}

export interface CopyOptions {
  /** Overwrite a version the destination has, and move tags other versions hold there. */
  force?: boolean;
  /** Source tags not to copy (`-i/--ignore-tag`); built-in tags never are. */
  ignoreTags?: string[];
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface CopyResult {
  /** `skipped`: the destination had the version and `force` was not given (its tags are still copied). */
  status: "copied" | "overwritten" | "skipped";
  src: CopyRef;
  dest: CopyRef;
  /** User tags put on the destination. */
  tags: string[];
  /** Tags left alone because another destination version holds them. */
  skippedTags: string[];
}

const sameRuntime = (a: CopyRef, b: CopyRef) =>
  a.instance.uri === b.instance.uri && a.project === b.project && a.name === b.name;

/** Copies one version as planned, deciding skip or overwrite, and carries its user tags along. */
export async function copyRuntime(
  transport: CopyTransport,
  plan: CopyPlan,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const { src, dest } = plan;
  if (sameRuntime(src, dest)) {
    throw new AppError(
      "invalid_input",
      `the source and the destination are the same runtime (${src.project}/${src.name})`,
      "give another project or name as the destination",
    );
  }
  const ignored = new Set(options.ignoreTags ?? []);
  const tags = (await transport.sourceTags(src)).filter((tag) => !isBuiltinTag(tag) && !ignored.has(tag));
  const force = options.force ?? false;
  const existed = await transport.exists(dest);
  if (!existed || force) {
    await transport.transfer(src, dest, {
      force,
      progress: options.progress ?? silentProgress,
      signal: options.signal,
    });
  }
  const { skipped } = tags.length ? await transport.addTags(dest, tags, { force }) : { skipped: [] };
  return {
    status: !existed ? "copied" : force ? "overwritten" : "skipped",
    src,
    dest,
    tags: tags.filter((tag) => !skipped.includes(tag)),
    skippedTags: skipped,
  };
}
