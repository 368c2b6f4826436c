import { relations } from "drizzle-orm";
import { boolean, pgTable, text } from "drizzle-orm/pg-core";
import { apiTokens } from "./api-tokens";
import { createdAt, id } from "./columns";
import { projectMembers } from "./project-members";
import { sessions } from "./sessions";

export const users = pgTable("users", {
  id: id(),
  name: text().notNull().unique(),
  /** argon2id PHC string. */
  passwordHash: text().notNull(),
  isAdmin: boolean().notNull().default(false),
  createdAt: createdAt(),
});

export const usersRelations = relations(users, ({ many }) => ({
  sessions: many(sessions),
  apiTokens: many(apiTokens),
  memberships: many(projectMembers),
}));
