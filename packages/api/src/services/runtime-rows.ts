import type { Database } from "@swhub/db/client";
import { runtimeImages, runtimes, runtimeTags, runtimeVersions, users } from "@swhub/db/schema";
import { notFound } from "@swhub/shared/errors";
import { autoTag, BUILTIN_LATEST_TAG } from "@swhub/shared/names";
import { and, asc, desc, eq, inArray, isNull, max } from "drizzle-orm";

/** A version's columns without the bulky ones (files, manifest, texts), for lists. */
export const versionColumns = {
  id: runtimeVersions.id,
  runtimeId: runtimeVersions.runtimeId,
  version: runtimeVersions.version,
  aliasSeq: runtimeVersions.aliasSeq,
  bundleDigest: runtimeVersions.bundleDigest,
  bundleSize: runtimeVersions.bundleSize,
  createdBy: runtimeVersions.createdBy,
  createdAt: runtimeVersions.createdAt,
  removedAt: runtimeVersions.removedAt,
};

/** One version as every list shows it. */
export interface VersionSummary {
  /** The version's numeric id, as Starwhale's API shows it. */
  id: string;
  name: string;
  version: string;
  /** `vN`. */
  alias: string;
  /** Whether it is the runtime's newest version not removed. */
  latest: boolean;
  /** `latest` (when it is), `vN`, then the user's tags by name. Removed versions show their dormant tags. */
  tags: string[];
  size: number;
  digest: string;
  createdAt: Date;
  owner: { id: string; name: string };
  removed: boolean;
}

/** The newest live `vN` number of each runtime: which version is `latest`. */
export async function latestSeqs(db: Database, runtimeIds: number[]): Promise<Map<number, number>> {
  if (runtimeIds.length === 0) return new Map();
  const rows = await db
    .select({ runtimeId: runtimeVersions.runtimeId, seq: max(runtimeVersions.aliasSeq) })
    .from(runtimeVersions)
    .where(and(inArray(runtimeVersions.runtimeId, runtimeIds), isNull(runtimeVersions.removedAt)))
    .groupBy(runtimeVersions.runtimeId);
  return new Map(rows.filter((r) => r.seq !== null).map((r) => [r.runtimeId, r.seq!]));
}

/** The user tags of each version, by name. */
export async function userTags(db: Database, versionIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (versionIds.length === 0) return out;
  const rows = await db
    .select({ versionId: runtimeTags.versionId, tag: runtimeTags.tag })
    .from(runtimeTags)
    .where(inArray(runtimeTags.versionId, versionIds))
    .orderBy(asc(runtimeTags.tag));
  for (const row of rows) out.set(row.versionId, [...(out.get(row.versionId) ?? []), row.tag]);
  return out;
}

/** The newest image reference built from each version, for lists. */
export async function newestImages(db: Database, versionIds: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (versionIds.length === 0) return out;
  const rows = await db
    .selectDistinctOn([runtimeImages.versionId], {
      versionId: runtimeImages.versionId,
      reference: runtimeImages.reference,
    })
    .from(runtimeImages)
    .where(inArray(runtimeImages.versionId, versionIds))
    .orderBy(runtimeImages.versionId, desc(runtimeImages.createdAt));
  for (const row of rows) out.set(row.versionId, row.reference);
  return out;
}

export async function userNames(db: Database, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(inArray(users.id, unique));
  return new Map(rows.map((r) => [r.id, r.name]));
}

type VersionRow = { [K in keyof typeof versionColumns]: (typeof runtimeVersions.$inferSelect)[K] };

/** Decorates version rows (of any runtimes) with tags, `latest` and owner names, keeping their order. */
export async function summarizeVersions(
  db: Database,
  rows: (VersionRow & { name: string })[],
): Promise<VersionSummary[]> {
  const [latest, tags, names] = await Promise.all([
    latestSeqs(db, [...new Set(rows.map((r) => r.runtimeId))]),
    userTags(
      db,
      rows.map((r) => r.id),
    ),
    userNames(
      db,
      rows.map((r) => r.createdBy),
    ),
  ]);
  return rows.map((row) => {
    const isLatest = row.removedAt === null && latest.get(row.runtimeId) === row.aliasSeq;
    const alias = autoTag(row.aliasSeq);
    return {
      id: String(row.id),
      name: row.name,
      version: row.version,
      alias,
      latest: isLatest,
      tags: [...(isLatest ? [BUILTIN_LATEST_TAG] : []), alias, ...(tags.get(row.id) ?? [])],
      size: row.bundleSize,
      digest: row.bundleDigest,
      createdAt: row.createdAt,
      owner: { id: String(row.createdBy), name: names.get(row.createdBy) ?? "" },
      removed: row.removedAt !== null,
    };
  });
}

/** Whether a runtime's version row is the one this id names. */
export const isVersion = (runtimeId: number, version: string) =>
  and(eq(runtimeVersions.runtimeId, runtimeId), eq(runtimeVersions.version, version));

/** Locks a runtime row by project and name for the rest of the transaction (tag and lifecycle changes). */
export async function lockRuntime(tx: Database, projectId: number, name: string) {
  const [runtime] = await tx
    .select({ id: runtimes.id })
    .from(runtimes)
    .where(and(eq(runtimes.projectId, projectId), eq(runtimes.name, name)))
    .for("update");
  if (!runtime) throw notFound(`No runtime named "${name}"`);
  return runtime;
}
