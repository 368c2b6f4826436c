import { AppError } from "../errors";
import { BUILTIN_LATEST_TAG } from "../names";
import { looksLikeVersionId, MIN_VERSION_PREFIX, shortVersion } from "../version-id";
import { formatResourceUri } from "./format";
import type { ResourceUri } from "./types";

/**
 * What resolution needs to know about an instance. The standalone store implements it over files, the server over
 * its database, and swcli over a server's API, so all three resolve names, tags and prefixes the same way.
 */
export interface RuntimeResolver {
  /** Whether a runtime with this name exists (and is not removed) in the project. */
  runtimeExists(project: string, name: string): Promise<boolean>;
  /** The tags of a runtime (tag → full version), including `latest` and `vN`. */
  tags(project: string, name: string): Promise<Record<string, string>>;
  /**
   * The version one tag names, if any. Optional: instances with many versions (a server) implement it so that
   * resolving one reference does not load every `vN`; without it, `tags()` is used.
   */
  tagged?(project: string, name: string, tag: string): Promise<string | undefined>;
  /** Versions (not removed) whose id starts with `prefix`, of one runtime or, without a name, of every runtime. */
  versionsWithPrefix(
    project: string,
    name: string | undefined,
    prefix: string,
  ): Promise<{ name: string; version: string }[]>;
}

export interface ResolveOptions {
  /** What an omitted version means. `undefined` keeps it omitted (e.g. `remove NAME` acts on every version). */
  defaultVersion?: string;
}

function where(uri: ResourceUri): string {
  return `project "${uri.project}"`;
}

/**
 * Turns names, tags and prefixes into the full names the instance stores. A bare word is a runtime name first; it
 * counts as a version prefix only when no runtime has that name, it is at least 4 characters long, and it matches
 * exactly one version (DESIGN.md difference 2).
 */
export async function resolveResourceUri(
  uri: ResourceUri,
  resolver: RuntimeResolver,
  options: ResolveOptions = { defaultVersion: BUILTIN_LATEST_TAG },
): Promise<ResourceUri> {
  const exists = await resolver.runtimeExists(uri.project, uri.name);
  if (!exists && uri.bareWord && uri.name.length >= MIN_VERSION_PREFIX && looksLikeVersionId(uri.name)) {
    const hits = await resolver.versionsWithPrefix(uri.project, undefined, uri.name);
    if (hits.length === 1) return { ...uri, name: hits[0]!.name, version: hits[0]!.version, bareWord: false };
    if (hits.length > 1)
      throw ambiguous(
        uri.name,
        hits.map((h) => `${h.name}/version/${shortVersion(h.version)}`),
      );
  }
  if (!exists)
    throw new AppError(
      "not_found",
      `no runtime named "${uri.name}" in ${where(uri)}`,
      "see them with `swcli runtime list`",
    );
  const ref = uri.version ?? options.defaultVersion;
  if (ref === undefined) return { ...uri, bareWord: false };
  const version = await resolveVersionRef(uri, ref, resolver);
  return { ...uri, version, bareWord: false };
}

async function resolveVersionRef(uri: ResourceUri, ref: string, resolver: RuntimeResolver): Promise<string> {
  const tagged = resolver.tagged
    ? await resolver.tagged(uri.project, uri.name, ref)
    : (await resolver.tags(uri.project, uri.name))[ref];
  if (tagged) return tagged;
  const hits = looksLikeVersionId(ref) ? await resolver.versionsWithPrefix(uri.project, uri.name, ref) : [];
  const exact = hits.find((h) => h.version === ref);
  if (exact) return exact.version;
  if (hits.length > 0 && ref.length < MIN_VERSION_PREFIX) {
    throw new AppError(
      "invalid_input",
      `version prefix "${ref}" is too short: give at least ${MIN_VERSION_PREFIX} characters`,
    );
  }
  if (hits.length === 1) return hits[0]!.version;
  if (hits.length > 1)
    throw ambiguous(
      ref,
      hits.map((h) => shortVersion(h.version)),
    );
  const shown = formatResourceUri({ ...uri, version: undefined });
  throw new AppError(
    "not_found",
    `${shown} has no version or tag "${ref}"`,
    "see its versions with `swcli runtime history`",
  );
}

function ambiguous(ref: string, candidates: string[]): AppError {
  const list =
    candidates.slice(0, 5).join(", ") + (candidates.length > 5 ? `, and ${candidates.length - 5} more` : "");
  return new AppError(
    "invalid_input",
    `"${ref}" matches ${candidates.length} versions (${list}); give more characters`,
  );
}
