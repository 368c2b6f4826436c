import { createJobEventsHandler } from "@swhub/api/http";
import { getDb, getJobDeps } from "~/server/services";

export const dynamic = "force-dynamic";

/** A job's events as Server-Sent Events: `GET /api/jobs/<id>/events` (resume with Last-Event-ID or ?after=). */
const handler = createJobEventsHandler({ db: getDb, jobs: getJobDeps });

export { handler as GET };
