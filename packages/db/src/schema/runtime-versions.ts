import { relations, sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, unique } from "drizzle-orm/pg-core";
import { blobs } from "./blobs";
import { createdAt, id, idRef, removedAt } from "./columns";
import { runtimeImages } from "./runtime-images";
import { runtimeTags } from "./runtime-tags";
import { runtimes } from "./runtimes";
import { users } from "./users";

export const runtimeVersions = pgTable(
  "runtime_versions",
  {
    id: id(),
    runtimeId: idRef()
      .notNull()
      .references(() => runtimes.id, { onDelete: "cascade" }),
    /** The version name: 40 lowercase base32 characters for new versions, any length when imported. */
    version: text().notNull(),
    /** The N of the `vN` alias. */
    aliasSeq: integer().notNull(),
    /** The bundle's `_manifest.yaml`, as JSON. */
    manifest: jsonb().notNull(),
    bundleDigest: text()
      .notNull()
      .references(() => blobs.digest),
    bundleSize: bigint({ mode: "number" }).notNull(),
    /** The bundle's regular files with their sizes, for the console's Files tab. Never selected by lists. */
    files: jsonb().$type<BundleFile[]>().notNull().default([]),
    /** The bundle's `runtime.yaml` text, when it has one (for `info -of runtime_yaml`). */
    runtimeYaml: text(),
    /** The lock files (`dependencies/.starwhale/lock/*`) by path inside the bundle, as text (`info -of lock`). */
    lockFiles: jsonb().$type<Record<string, string>>().notNull().default({}),
    createdBy: idRef()
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    removedAt: removedAt(),
  },
  (t) => [
    unique().on(t.runtimeId, t.version),
    unique().on(t.runtimeId, t.aliasSeq),
    // Lets runtime_tags check, in the database, that a tag's version belongs to the tag's runtime.
    unique().on(t.id, t.runtimeId),
    // Version prefixes are looked up with LIKE 'abc%'; text_pattern_ops makes that an index range scan.
    index("runtime_versions_version_prefix_idx").on(t.version.op("text_pattern_ops")),
    // History, `latest` and the console's one-row-per-runtime list all walk a runtime's live versions newest first.
    index("runtime_versions_live_idx").on(t.runtimeId, t.aliasSeq.desc()).where(sql`${t.removedAt} IS NULL`),
    // Garbage collection and "is this blob used" look versions up by digest.
    index().on(t.bundleDigest),
  ],
);

/** One regular file of a bundle: its path inside the tar and its size in bytes. */
export interface BundleFile {
  path: string;
  size: number;
}

export const runtimeVersionsRelations = relations(runtimeVersions, ({ one, many }) => ({
  runtime: one(runtimes, { fields: [runtimeVersions.runtimeId], references: [runtimes.id] }),
  bundle: one(blobs, { fields: [runtimeVersions.bundleDigest], references: [blobs.digest] }),
  creator: one(users, { fields: [runtimeVersions.createdBy], references: [users.id] }),
  tags: many(runtimeTags),
  images: many(runtimeImages),
}));
