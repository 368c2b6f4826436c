import type { Database } from "@swhub/db/client";
import { runtimes, runtimeTags, runtimeVersions } from "@swhub/db/schema";
import { notFound } from "@swhub/shared/errors";
import { autoTag, autoTagSeq, BUILTIN_LATEST_TAG } from "@swhub/shared/names";
import { type ResourceUri, type RuntimeResolver, resolveResourceUri } from "@swhub/shared/uri";
import { and, desc, eq, isNotNull, isNull, like, type SQL } from "drizzle-orm";
import { escapeLike } from "./projects";
import { isVersion, versionColumns } from "./runtime-rows";

/**
 * Names, tags and prefixes resolved over the database with the same rules as the standalone store and swcli
 * (`resolveResourceUri` from `@swhub/shared/uri`). Removed versions are invisible and their tags lie dormant;
 * `latest` is the newest version not removed. With `removed`, resolution looks among removed versions instead,
 * for `recover`.
 */
export function databaseResolver(
  db: Database,
  projectId: number,
  options: { removed?: boolean } = {},
): RuntimeResolver {
  const removed = options.removed ?? false;
  const state = (): SQL =>
    removed ? isNotNull(runtimeVersions.removedAt) : isNull(runtimeVersions.removedAt);
  const inRuntime = (name: string) => and(eq(runtimes.projectId, projectId), eq(runtimes.name, name));

  const versionWhere = async (name: string, where: SQL | undefined) => {
    const [row] = await db
      .select({ version: runtimeVersions.version })
      .from(runtimeVersions)
      .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
      .where(and(inRuntime(name), state(), where))
      .orderBy(desc(runtimeVersions.aliasSeq))
      .limit(1);
    return row?.version;
  };

  const resolver: RuntimeResolver = {
    async runtimeExists(_project, name) {
      return (await versionWhere(name, undefined)) !== undefined;
    },
    async tagged(_project, name, tag) {
      if (tag === BUILTIN_LATEST_TAG) return removed ? undefined : versionWhere(name, undefined);
      const seq = autoTagSeq(tag);
      if (seq !== undefined) return versionWhere(name, eq(runtimeVersions.aliasSeq, seq));
      const [row] = await db
        .select({ version: runtimeVersions.version })
        .from(runtimeTags)
        .innerJoin(runtimes, eq(runtimes.id, runtimeTags.runtimeId))
        .innerJoin(runtimeVersions, eq(runtimeVersions.id, runtimeTags.versionId))
        .where(and(inRuntime(name), eq(runtimeTags.tag, tag), state()));
      return row?.version;
    },
    async tags(_project, name) {
      const versions = await db
        .select({ id: runtimeVersions.id, version: runtimeVersions.version, seq: runtimeVersions.aliasSeq })
        .from(runtimeVersions)
        .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
        .where(and(inRuntime(name), state()))
        .orderBy(desc(runtimeVersions.aliasSeq));
      const out: Record<string, string> = {};
      for (const v of versions) out[autoTag(v.seq)] = v.version;
      if (!removed && versions[0]) out[BUILTIN_LATEST_TAG] = versions[0].version;
      const tagged = await db
        .select({ tag: runtimeTags.tag, version: runtimeVersions.version })
        .from(runtimeTags)
        .innerJoin(runtimes, eq(runtimes.id, runtimeTags.runtimeId))
        .innerJoin(runtimeVersions, eq(runtimeVersions.id, runtimeTags.versionId))
        .where(and(inRuntime(name), state()));
      for (const t of tagged) out[t.tag] = t.version;
      return out;
    },
    async versionsWithPrefix(_project, name, prefix) {
      return db
        .select({ name: runtimes.name, version: runtimeVersions.version })
        .from(runtimeVersions)
        .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
        .where(
          and(
            eq(runtimes.projectId, projectId),
            name === undefined ? undefined : eq(runtimes.name, name),
            like(runtimeVersions.version, `${escapeLike(prefix)}%`),
            state(),
          ),
        )
        .limit(50);
    },
  };
  return resolver;
}

/** A runtime reference as services take it: a name and, optionally, a version, tag, prefix, `latest` or `vN`. */
export interface RuntimeRef {
  name: string;
  version?: string;
  /** The reference was one word, which may be a version prefix when no runtime has that name. */
  bareWord?: boolean;
}

const serverInstance = { alias: "", uri: "" };

/**
 * Resolves a reference to the runtime's name and full version id. `defaultVersion` stands in for an omitted
 * version (`latest` by default; undefined keeps it omitted, meaning every version).
 */
export async function resolveRuntimeRef(
  db: Database,
  project: { id: number; name: string },
  ref: RuntimeRef,
  options: { removed?: boolean; defaultVersion?: string } = { defaultVersion: BUILTIN_LATEST_TAG },
): Promise<{ name: string; version?: string }> {
  const uri: ResourceUri = {
    instance: serverInstance,
    project: project.name,
    type: "runtime",
    name: ref.name,
    ...(ref.version ? { version: ref.version } : {}),
    ...(ref.bareWord ? { bareWord: true } : {}),
  };
  const resolved = await resolveResourceUri(uri, databaseResolver(db, project.id, options), {
    defaultVersion: options.defaultVersion,
  });
  return { name: resolved.name, version: resolved.version };
}

/** The runtime row of a name in a project (removed or not), or `not_found`. */
export async function getRuntimeRow(db: Database, projectId: number, name: string) {
  const [row] = await db
    .select()
    .from(runtimes)
    .where(and(eq(runtimes.projectId, projectId), eq(runtimes.name, name)));
  if (!row) throw notFound(`No runtime named "${name}" in this project`);
  return row;
}

/** A version row (without its bulky columns) by runtime and full version id, or `not_found`. */
export async function getVersionRow(db: Database, runtimeId: number, version: string) {
  const [row] = await db.select(versionColumns).from(runtimeVersions).where(isVersion(runtimeId, version));
  if (!row) throw notFound(`Version ${version} not found`);
  return row;
}
