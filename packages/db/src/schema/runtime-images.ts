import { relations } from "drizzle-orm";
import { index, pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, idRef } from "./columns";
import { runtimeVersions } from "./runtime-versions";

/** An OCI image built from a runtime version and pushed to a registry. */
export const runtimeImages = pgTable(
  "runtime_images",
  {
    id: id(),
    versionId: idRef()
      .notNull()
      .references(() => runtimeVersions.id, { onDelete: "cascade" }),
    /** Where it was pushed, e.g. `registry.example.com/team/mnist:v3`. */
    reference: text().notNull(),
    /** The manifest (or index) digest, `sha256:<hex>`. */
    digest: text().notNull(),
    /** e.g. `linux/amd64`. */
    platforms: text().array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.versionId, t.reference), index().on(t.digest)],
);

export const runtimeImagesRelations = relations(runtimeImages, ({ one }) => ({
  version: one(runtimeVersions, { fields: [runtimeImages.versionId], references: [runtimeVersions.id] }),
}));
