import { relations } from "drizzle-orm";
import { foreignKey, index, pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, idRef } from "./columns";
import { runtimeVersions } from "./runtime-versions";
import { runtimes } from "./runtimes";

export const runtimeTags = pgTable(
  "runtime_tags",
  {
    id: id(),
    runtimeId: idRef()
      .notNull()
      .references(() => runtimes.id, { onDelete: "cascade" }),
    versionId: idRef().notNull(),
    tag: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // A tag names one version of a runtime.
    unique().on(t.runtimeId, t.tag),
    index().on(t.versionId),
    // The tagged version must belong to the same runtime.
    foreignKey({
      columns: [t.versionId, t.runtimeId],
      foreignColumns: [runtimeVersions.id, runtimeVersions.runtimeId],
    }).onDelete("cascade"),
  ],
);

export const runtimeTagsRelations = relations(runtimeTags, ({ one }) => ({
  runtime: one(runtimes, { fields: [runtimeTags.runtimeId], references: [runtimes.id] }),
  version: one(runtimeVersions, { fields: [runtimeTags.versionId], references: [runtimeVersions.id] }),
}));
