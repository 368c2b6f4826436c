import { relations } from "drizzle-orm";
import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, idRef } from "./columns";
import { users } from "./users";

export const sessions = pgTable(
  "sessions",
  {
    /** sha256 (hex) of the random token in the `sw_session` cookie; the token itself is never stored. */
    id: text().primaryKey(),
    userId: idRef()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.userId)],
);

export const sessionsRelations = relations(sessions, ({ one }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
}));
