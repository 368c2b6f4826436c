import { jobStates } from "@swhub/shared/jobs";
import { relations } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, real, text, timestamp, unique } from "drizzle-orm/pg-core";
import { createdAt, id, idRef } from "./columns";
import { jobLogs } from "./job-logs";
import { projects } from "./projects";
import { users } from "./users";

export const jobState = pgEnum("job_state", jobStates);

export const jobs = pgTable(
  "jobs",
  {
    id: id(),
    /** The job name from the catalog, e.g. `runtime.build`. */
    kind: text().notNull(),
    queue: text().notNull(),
    /** Null for system jobs such as `blobs.gc`. */
    projectId: idRef().references(() => projects.id, { onDelete: "cascade" }),
    createdBy: idRef().references(() => users.id),
    /** The client's idempotency key: the same request id in a project gives the same job. */
    requestId: text(),
    state: jobState().notNull().default("queued"),
    phase: text(),
    /** Percent done within the current phase, 0 to 100. */
    progress: real().notNull().default(0),
    payload: jsonb().notNull(),
    result: jsonb(),
    error: text(),
    /** The last `job_logs.seq` handed out; events take the next numbers under this row's lock. */
    eventSeq: integer().notNull().default(0),
    /** Runs started so far; a run lost with its worker counts too. */
    attempt: integer().notNull().default(0),
    /**
     * The run that holds the job: set when a worker claims it, checked when it publishes, so a run that lost its
     * claim (its worker was presumed dead and another took over) can't commit anything.
     */
    claimToken: text(),
    /** Refreshed by the running worker; a stale one marks a claim the reconciler may take back. */
    heartbeatAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [unique().on(t.projectId, t.requestId), index().on(t.state)],
);

export const jobsRelations = relations(jobs, ({ one, many }) => ({
  project: one(projects, { fields: [jobs.projectId], references: [projects.id] }),
  creator: one(users, { fields: [jobs.createdBy], references: [users.id] }),
  logs: many(jobLogs),
}));
