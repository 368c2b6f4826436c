import { bigint, timestamp } from "drizzle-orm/pg-core";

/**
 * Every table's id is a bigint identity column, read as a JS number (ids stay far below 2^53).
 * Services expose ids as strings, as Starwhale's API does.
 */
export const id = () => bigint({ mode: "number" }).primaryKey().generatedByDefaultAsIdentity();

/** A foreign key column holding another table's id. */
export const idRef = () => bigint({ mode: "number" });

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** Soft removal: set when removed, cleared when recovered. */
export const removedAt = () => timestamp({ withTimezone: true });
