import type { Database } from "@swhub/db/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { BlobStore } from "../blobs/store";
import { toAppError } from "../errors";
import { appRouter } from "../root";
import type { JobDeps } from "../services/jobs";
import { createContext } from "../trpc";

/** The tRPC endpoint (`/api/trpc`) as a fetch-style handler, for the web app's route and for tests. */
export function createTrpcHandler(deps: {
  db: Database | (() => Promise<Database>);
  blobs: BlobStore | (() => BlobStore);
  jobs?: JobDeps | (() => JobDeps);
}): (req: Request) => Promise<Response> {
  return (req) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: async ({ resHeaders }) =>
        createContext({
          db: typeof deps.db === "function" ? await deps.db() : deps.db,
          blobs: typeof deps.blobs === "function" ? deps.blobs() : deps.blobs,
          jobs: typeof deps.jobs === "function" ? deps.jobs() : deps.jobs,
          headers: req.headers,
          resHeaders,
          secureCookies: (req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol).startsWith(
            "https",
          ),
        }),
      onError({ error, path }) {
        // Users get a clean message; the unexpected ones are kept here for whoever runs the server.
        if (error.code === "INTERNAL_SERVER_ERROR" && !toAppError(error.cause)) {
          console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
        }
      },
    });
}
