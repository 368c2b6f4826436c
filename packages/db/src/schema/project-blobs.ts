import { relations } from "drizzle-orm";
import { index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { blobs } from "./blobs";
import { createdAt, idRef } from "./columns";
import { projects } from "./projects";

/**
 * Which project may use which blob: a row appears when an upload into the project completes (the client proved it
 * has the bytes) or a version of the project refers to the blob. A blob counts as present for a project only
 * through this table, so nobody can attach (and then download) another project's blob by guessing its digest.
 */
export const projectBlobs = pgTable(
  "project_blobs",
  {
    projectId: idRef()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    digest: text()
      .notNull()
      .references(() => blobs.digest, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.digest] }), index().on(t.digest)],
);

export const projectBlobsRelations = relations(projectBlobs, ({ one }) => ({
  project: one(projects, { fields: [projectBlobs.projectId], references: [projects.id] }),
  blob: one(blobs, { fields: [projectBlobs.digest], references: [blobs.digest] }),
}));
