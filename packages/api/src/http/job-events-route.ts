import type { Database } from "@swhub/db/client";
import { AppError, invalidInput } from "@swhub/shared/errors";
import { authenticate } from "../auth";
import { followJobEvents } from "../services/job-follow";
import { requireJobRole } from "../services/job-views";
import type { JobDeps } from "../services/jobs";
import { errorResponse } from "./respond";

export const jobEventsRoutePrefix = "/api/jobs/";

/** Where to resume: `Last-Event-ID` (an EventSource sends it on reconnect), else `?after=`, else the start. */
function resumeAfter(req: Request, url: URL): number {
  const raw = req.headers.get("last-event-id") ?? url.searchParams.get("after") ?? "0";
  if (!/^\d{1,10}$/.test(raw)) throw invalidInput(`"${raw}" is not an event id`);
  return Number(raw);
}

/**
 * `GET /api/jobs/<id>/events`: a job's events as Server-Sent Events (`id:` is the seq, `data:` one `JobEvent` as
 * JSON), for swcli, `curl` and a browser's EventSource. The stream ends after the job's final state; a comment every
 * 15 s keeps proxies from closing a quiet one. The same access rule as `job.events`.
 */
export function createJobEventsHandler(deps: {
  db: Database | (() => Promise<Database>);
  jobs: JobDeps | (() => JobDeps);
}): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      const url = new URL(req.url);
      const match = /^\/api\/jobs\/([^/]+)\/events\/?$/.exec(url.pathname);
      if (!match) throw new AppError("not_found", `No route ${url.pathname}`);
      if (req.method !== "GET") throw invalidInput(`${req.method} is not allowed here; use GET`);
      const db = typeof deps.db === "function" ? await deps.db() : deps.db;
      const jobs = typeof deps.jobs === "function" ? deps.jobs() : deps.jobs;
      const { user, authProblem } = await authenticate(db, req.headers);
      if (authProblem === "token")
        throw new AppError("unauthenticated", "The API token is invalid, expired or revoked");
      const job = decodeURIComponent(match[1]!);
      const afterSeq = resumeAfter(req, url);
      // Checked before the answer starts, so a refusal gets its status instead of an empty stream.
      await requireJobRole(db, user, job, "guest");
      const abort = new AbortController();
      req.signal.addEventListener("abort", () => abort.abort());
      const events = followJobEvents(db, jobs.bus, { user, job, afterSeq, signal: abort.signal });
      const encoder = new TextEncoder();
      let ping: NodeJS.Timeout | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          ping = setInterval(() => controller.enqueue(encoder.encode(": ping\n\n")), 15_000);
          // Not awaited: start() resolving is what lets the stream deliver.
          void (async () => {
            try {
              for await (const event of events) {
                controller.enqueue(encoder.encode(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`));
              }
              controller.close();
            } catch (error) {
              if (!abort.signal.aborted) controller.error(error);
            } finally {
              clearInterval(ping);
            }
          })();
        },
        cancel() {
          clearInterval(ping);
          abort.abort();
        },
      });
      return new Response(body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          "x-accel-buffering": "no",
        },
      });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
