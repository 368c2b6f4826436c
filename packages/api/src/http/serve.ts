import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { Database } from "@swhub/db/client";
import type { BlobStore } from "../blobs/store";
import { compatRoutePrefix, createCompatHandler } from "../compat/routes";
import type { JobDeps } from "../services/jobs";
import { blobRoutePrefix, createBlobNodeHandler } from "./blob-routes";
import { createJobEventsHandler, jobEventsRoutePrefix } from "./job-events-route";
import { nodeHeaders } from "./request";
import { createTrpcHandler } from "./trpc-handler";

/**
 * The server's API routes on a plain Node HTTP server: `/api/trpc/*`, the blob protocol under `/api/projects/*` and
 * Starwhale's API under `/api/v1/*`, the same handlers the web app mounts. For tests (of the server and of clients such as swcli)
 * that need real HTTP without building the console. Listens on a free loopback port.
 */
export async function serveApi(deps: {
  db: Database;
  blobs: BlobStore;
  bodyIdleMs?: number;
  jobs?: JobDeps;
}): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const trpc = createTrpcHandler(deps);
  const blobs = createBlobNodeHandler(deps);
  const compat = createCompatHandler(deps);
  const jobs = deps.jobs;
  const jobEvents = jobs ? createJobEventsHandler({ db: deps.db, jobs }) : undefined;
  const server = createServer((req, res) => {
    if (req.url?.startsWith(blobRoutePrefix)) {
      blobs(req, res).catch((error: unknown) => {
        console.error("request failed:", error);
        res.destroy();
      });
      return;
    }
    void handle(req, res, (request) => {
      const path = new URL(request.url).pathname;
      if (path.startsWith(compatRoutePrefix)) return compat(request);
      if (jobEvents && path.startsWith(jobEventsRoutePrefix)) return jobEvents(request);
      return trpc(request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Node request → fetch Request → handler → Node response, streaming both bodies. */
async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (request: Request) => Promise<Response>,
): Promise<void> {
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers = nodeHeaders(req.headers);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  // Node's fetch needs `duplex: "half"` to stream a request body; the DOM types don't know it.
  const init: RequestInit & { duplex: "half" } = {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    signal: abort.signal,
    duplex: "half",
  };
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, init);
  try {
    const response = await handler(request);
    res.writeHead(response.status, [...response.headers.entries()].flat());
    if (response.body && req.method !== "HEAD") {
      for await (const chunk of response.body) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
      }
    }
    res.end();
  } catch (error) {
    if (!res.headersSent) res.writeHead(500);
    res.end();
    if (!abort.signal.aborted) console.error("request failed:", error);
  }
}
