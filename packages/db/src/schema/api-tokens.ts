import { relations } from "drizzle-orm";
import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, id, idRef } from "./columns";
import { users } from "./users";

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    userId: idRef()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** sha256 (hex) of the whole token. */
    tokenHash: text().notNull().unique(),
    /** The first characters of the token, shown in lists so users can tell tokens apart. */
    prefix: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.userId)],
);

export const apiTokensRelations = relations(apiTokens, ({ one }) => ({
  user: one(users, { fields: [apiTokens.userId], references: [users.id] }),
}));
