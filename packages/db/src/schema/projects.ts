import { relations } from "drizzle-orm";
import { boolean, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, idRef, removedAt } from "./columns";
import { projectMembers } from "./project-members";
import { runtimes } from "./runtimes";
import { users } from "./users";

export const projects = pgTable("projects", {
  id: id(),
  name: text().notNull().unique(),
  isPublic: boolean().notNull().default(false),
  description: text().notNull().default(""),
  ownerId: idRef()
    .notNull()
    .references(() => users.id),
  createdAt: createdAt(),
  removedAt: removedAt(),
});

export const projectsRelations = relations(projects, ({ one, many }) => ({
  owner: one(users, { fields: [projects.ownerId], references: [users.id] }),
  members: many(projectMembers),
  runtimes: many(runtimes),
}));
