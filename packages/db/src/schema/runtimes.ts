import { relations } from "drizzle-orm";
import { integer, pgTable, text, unique } from "drizzle-orm/pg-core";
import { createdAt, id, idRef, removedAt } from "./columns";
import { projects } from "./projects";
import { runtimeTags } from "./runtime-tags";
import { runtimeVersions } from "./runtime-versions";
import { users } from "./users";

export const runtimes = pgTable(
  "runtimes",
  {
    id: id(),
    projectId: idRef()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text().notNull(),
    ownerId: idRef()
      .notNull()
      .references(() => users.id),
    /** The N of the next `vN` alias. Only ever grows, so an alias is never reused after a removal. */
    nextAliasSeq: integer().notNull().default(0),
    createdAt: createdAt(),
    removedAt: removedAt(),
  },
  (t) => [unique().on(t.projectId, t.name)],
);

export const runtimesRelations = relations(runtimes, ({ one, many }) => ({
  project: one(projects, { fields: [runtimes.projectId], references: [projects.id] }),
  owner: one(users, { fields: [runtimes.ownerId], references: [users.id] }),
  versions: many(runtimeVersions),
  tags: many(runtimeTags),
}));
