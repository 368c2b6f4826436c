import { appRouter } from "@swhub/api/root";
import { createContext } from "@swhub/api/trpc";
import { isAppError } from "@swhub/shared/errors";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDb } from "~/server/services";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async ({ resHeaders }) =>
      createContext({
        db: await getDb(),
        headers: req.headers,
        resHeaders,
        secureCookies: (req.headers.get("x-forwarded-proto") ?? new URL(req.url).protocol).startsWith(
          "https",
        ),
      }),
    onError({ error, path }) {
      // Users get a clean message; the unexpected ones are kept here for whoever runs the server.
      if (error.code === "INTERNAL_SERVER_ERROR" && !isAppError(error.cause)) {
        console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
      }
    },
  });
}

export { handler as GET, handler as POST };
