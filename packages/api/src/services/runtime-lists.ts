import type { Database } from "@swhub/db/client";
import { runtimes, runtimeVersions, users } from "@swhub/db/schema";
import { notFound } from "@swhub/shared/errors";
import { autoTag, BUILTIN_LATEST_TAG } from "@swhub/shared/names";
import { and, asc, desc, eq, isNull, like, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { type Actor, getProjectAccess } from "./access";
import { type Page, type Paging, pageWindow } from "./paging";
import { escapeLike } from "./projects";
import {
  newestImages,
  summarizeVersions,
  userTags,
  type VersionSummary,
  versionColumns,
} from "./runtime-rows";

/** `history`: one runtime's versions, newest first; removed ones only with `showRemoved`. */
export async function listHistory(
  db: Database,
  input: { user: Actor; project: string; name: string; showRemoved?: boolean } & Paging,
): Promise<Page<VersionSummary & { image: string | null }>> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const { page, size, limit, offset } = pageWindow(input);
  const [runtime] = await db
    .select({ id: runtimes.id, removedAt: runtimes.removedAt })
    .from(runtimes)
    .where(and(eq(runtimes.projectId, project.id), eq(runtimes.name, input.name)));
  if (!runtime || (runtime.removedAt && !input.showRemoved)) {
    throw notFound(`No runtime named "${input.name}" in project "${project.name}"`);
  }
  const where = and(
    eq(runtimeVersions.runtimeId, runtime.id),
    input.showRemoved ? undefined : isNull(runtimeVersions.removedAt),
  );
  const [rows, [counted]] = await Promise.all([
    db
      .select(versionColumns)
      .from(runtimeVersions)
      .where(where)
      .orderBy(desc(runtimeVersions.aliasSeq))
      .limit(limit)
      .offset(offset),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(runtimeVersions)
      .where(where),
  ]);
  const [items, images] = await Promise.all([
    summarizeVersions(
      db,
      rows.map((r) => ({ ...r, name: input.name })),
    ),
    newestImages(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  return {
    items: items.map((item) => ({ ...item, image: images.get(Number(item.id)) ?? null })),
    total: counted?.n ?? 0,
    page,
    size,
  };
}

/** A user by name or numeric id, for `owner=` filters; an unknown one matches nothing. */
function ownerIs(column: SQLWrapper, owner: string): SQL {
  return /^\d{1,15}$/.test(owner)
    ? sql`${column} = ${Number(owner)}`
    : sql`${column} = (SELECT ${users.id} FROM ${users} WHERE ${users.name} = ${owner})`;
}

export const versionSorts = ["name", "created"] as const;
export type VersionSort = (typeof versionSorts)[number];

/**
 * `list`: versions across a project's runtimes with every filter Starwhale's `-fl` knows: `name` (a runtime name
 * prefix), `owner` (who committed the version, by name or id) and `latest` (only each runtime's latest version).
 * Sorted by runtime name then newest first (`name`, the default), or newest first across runtimes (`created`).
 */
export async function listVersions(
  db: Database,
  input: {
    user: Actor;
    project: string;
    name?: string;
    owner?: string;
    latest?: boolean;
    showRemoved?: boolean;
    sort?: VersionSort;
  } & Paging,
): Promise<Page<VersionSummary>> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const { page, size, limit, offset } = pageWindow(input);
  const latestSeq = sql`(SELECT max(l.alias_seq) FROM ${runtimeVersions} l
    WHERE l.runtime_id = ${runtimes.id} AND l.removed_at IS NULL)`;
  const where = and(
    eq(runtimes.projectId, project.id),
    input.name ? like(runtimes.name, `${escapeLike(input.name)}%`) : undefined,
    input.owner ? ownerIs(runtimeVersions.createdBy, input.owner) : undefined,
    input.showRemoved && !input.latest ? undefined : isNull(runtimeVersions.removedAt),
    input.latest ? sql`${runtimeVersions.aliasSeq} = ${latestSeq}` : undefined,
  );
  const order =
    input.sort === "created"
      ? [desc(runtimeVersions.createdAt), desc(runtimeVersions.id)]
      : [asc(runtimes.name), desc(runtimeVersions.aliasSeq)];
  const rows = await db
    .select({ ...versionColumns, name: runtimes.name, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(runtimeVersions)
    .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
  const total =
    rows[0]?.total ??
    (offset === 0
      ? 0
      : ((
          await db
            .select({ n: sql<number>`count(*)`.mapWith(Number) })
            .from(runtimeVersions)
            .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
            .where(where)
        )[0]?.n ?? 0));
  return { items: await summarizeVersions(db, rows), total, page, size };
}

export const runtimeSorts = ["name", "created", "updated", "size"] as const;
export type RuntimeSort = (typeof runtimeSorts)[number];

export interface RuntimeSummary {
  id: string;
  name: string;
  owner: { id: string; name: string };
  createdAt: Date;
  /** Every version of it is removed. */
  removed: boolean;
  /** Versions not removed. */
  versionCount: number;
  /** The newest version not removed (null when all are removed). */
  latest: {
    id: string;
    version: string;
    alias: string;
    tags: string[];
    size: number;
    createdAt: Date;
    /** The newest image built from it. */
    image: string | null;
  } | null;
}

/**
 * The console's runtime list: one row per runtime with its latest version, sorted and paged on the server.
 * `updated` sorts by the latest version's time, `size` by its size. `name` filters by prefix, `owner` by the
 * runtime's owner (name or id).
 */
export async function listRuntimes(
  db: Database,
  input: {
    user: Actor;
    project: string;
    name?: string;
    owner?: string;
    showRemoved?: boolean;
    sort?: RuntimeSort;
    order?: "asc" | "desc";
  } & Paging,
): Promise<Page<RuntimeSummary>> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const { page, size, limit, offset } = pageWindow(input);
  const lv = sql`lv`;
  const sortKey = {
    name: sql`${runtimes.name}`,
    created: sql`${runtimes.createdAt}`,
    updated: sql`${lv}.created_at`,
    size: sql`${lv}.bundle_size`,
  }[input.sort ?? "name"];
  const direction = input.order ?? (input.sort === undefined || input.sort === "name" ? "asc" : "desc");
  const orderBy =
    direction === "asc"
      ? sql`${sortKey} ASC NULLS LAST, ${runtimes.id}`
      : sql`${sortKey} DESC NULLS LAST, ${runtimes.id}`;
  const where = and(
    eq(runtimes.projectId, project.id),
    input.showRemoved ? undefined : isNull(runtimes.removedAt),
    input.name ? like(runtimes.name, `${escapeLike(input.name)}%`) : undefined,
    input.owner ? ownerIs(runtimes.ownerId, input.owner) : undefined,
  );
  // The total is its own query: a window count would make the database build every runtime's row (latest version,
  // version count) before LIMIT, where sorting by name or creation needs only the page's rows.
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        id: runtimes.id,
        name: runtimes.name,
        createdAt: runtimes.createdAt,
        removedAt: runtimes.removedAt,
        ownerId: users.id,
        ownerName: users.name,
        versionId: sql<number | null>`${lv}.id`,
        version: sql<string | null>`${lv}.version`,
        aliasSeq: sql<number | null>`${lv}.alias_seq`,
        bundleSize: sql<number | null>`${lv}.bundle_size`.mapWith((v) => (v === null ? null : Number(v))),
        versionCreatedAt: sql<string | null>`${lv}.created_at`,
        versionCount: sql<number>`(SELECT count(*) FROM ${runtimeVersions} c
        WHERE c.runtime_id = ${runtimes.id} AND c.removed_at IS NULL)`.mapWith(Number),
      })
      .from(runtimes)
      .innerJoin(users, eq(users.id, runtimes.ownerId))
      .leftJoin(
        sql`LATERAL (SELECT v.id, v.version, v.alias_seq, v.bundle_size, v.created_at FROM ${runtimeVersions} v
        WHERE v.runtime_id = ${runtimes.id} AND v.removed_at IS NULL
        ORDER BY v.alias_seq DESC LIMIT 1) ${lv}`,
        sql`true`,
      )
      .where(where)
      .orderBy(orderBy)
      .limit(limit)
      .offset(offset),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(runtimes)
      .where(where),
  ]);
  const latestIds = rows.flatMap((r) => (r.versionId === null ? [] : [Number(r.versionId)]));
  const [tags, images] = await Promise.all([userTags(db, latestIds), newestImages(db, latestIds)]);
  const total = counted?.n ?? 0;
  return {
    items: rows.map((r) => ({
      id: String(r.id),
      name: r.name,
      owner: { id: String(r.ownerId), name: r.ownerName },
      createdAt: r.createdAt,
      removed: r.removedAt !== null,
      versionCount: r.versionCount,
      latest:
        r.versionId === null
          ? null
          : {
              id: String(r.versionId),
              version: r.version!,
              alias: autoTag(r.aliasSeq!),
              tags: [BUILTIN_LATEST_TAG, autoTag(r.aliasSeq!), ...(tags.get(Number(r.versionId)) ?? [])],
              size: r.bundleSize ?? 0,
              createdAt: new Date(r.versionCreatedAt!),
              image: images.get(Number(r.versionId)) ?? null,
            },
    })),
    total,
    page,
    size,
  };
}
