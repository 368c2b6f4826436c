import { bigint, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";

/** Content-addressed bytes, known by digest (`sha256:<hex>`). The bytes live in the blob store. */
export const blobs = pgTable("blobs", {
  digest: text().primaryKey(),
  size: bigint({ mode: "number" }).notNull(),
  createdAt: createdAt(),
});
