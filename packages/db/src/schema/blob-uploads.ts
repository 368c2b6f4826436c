import { relations } from "drizzle-orm";
import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, idRef } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

/**
 * A chunked, resumable upload into a project. The bytes so far live in the blob store's upload area; `offset` is
 * the authority on how many of them count. Finishing verifies digest and size, then the blob appears in `blobs`.
 */
export const blobUploads = pgTable(
  "blob_uploads",
  {
    /** Random and unguessable: it is the handle a client resumes with. */
    id: text().primaryKey(),
    projectId: idRef()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    createdBy: idRef()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The digest and size the client declared; the finished bytes must match both. */
    digest: text().notNull(),
    size: bigint({ mode: "number" }).notNull(),
    offset: bigint({ mode: "number" }).notNull().default(0),
    /**
     * A lease held while one request writes a chunk (or finishes), so two requests never write one upload at once.
     * A writer gives up long before its lease expires, so an expired lease belongs to a process that died.
     */
    writer: text(),
    writerSince: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.projectId), index().on(t.updatedAt)],
);

export const blobUploadsRelations = relations(blobUploads, ({ one }) => ({
  project: one(projects, { fields: [blobUploads.projectId], references: [projects.id] }),
  creator: one(users, { fields: [blobUploads.createdBy], references: [users.id] }),
}));
