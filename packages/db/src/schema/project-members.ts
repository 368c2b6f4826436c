import { relations } from "drizzle-orm";
import { index, pgEnum, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { createdAt, idRef } from "./columns";
import { projects } from "./projects";
import { users } from "./users";

export const projectRoles = ["owner", "maintainer", "guest"] as const;
export type ProjectRole = (typeof projectRoles)[number];
export const projectRole = pgEnum("project_role", projectRoles);

export const projectMembers = pgTable(
  "project_members",
  {
    projectId: idRef()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: idRef()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: projectRole().notNull(),
    createdAt: createdAt(),
  },
  // One role per user and project: the pair is the key.
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index().on(t.userId)],
);

export const projectMembersRelations = relations(projectMembers, ({ one }) => ({
  project: one(projects, { fields: [projectMembers.projectId], references: [projects.id] }),
  user: one(users, { fields: [projectMembers.userId], references: [users.id] }),
}));
