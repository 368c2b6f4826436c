import { relations } from "drizzle-orm";
import { integer, jsonb, pgTable, unique } from "drizzle-orm/pg-core";
import { createdAt, id, idRef } from "./columns";
import { jobs } from "./jobs";

/** A job's event stream (phases, progress, log lines, state changes), in order. */
export const jobLogs = pgTable(
  "job_logs",
  {
    id: id(),
    jobId: idRef()
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    /** Gap-free per job, so a client resumes a stream from the last seq it saw. */
    seq: integer().notNull(),
    /** One `JobEvent` from `@swhub/shared/jobs`. */
    event: jsonb().notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique().on(t.jobId, t.seq)],
);

export const jobLogsRelations = relations(jobLogs, ({ one }) => ({
  job: one(jobs, { fields: [jobLogs.jobId], references: [jobs.id] }),
}));
