/**
 * The web app's server: `tsx server.ts` (production, after `next build`) or `tsx server.ts --dev`. One Node HTTP
 * server on PORT (default 3000, all interfaces, as `next start`). The blob protocol (`/api/projects/…`) is answered
 * by `createBlobNodeHandler` on Node's own request and response; everything else goes to Next. Next's route handlers
 * turn bodies into web streams, which at loopback speed costs as much CPU as the transfer itself.
 *
 * The blob handler gets its own database pool and blob store rather than `~/server/services`' ones: those live on
 * globalThis and would be shared with Next's bundled copy of the same modules (another copy of drizzle and of our
 * packages), and objects of one copy should not meet the code of the other.
 */
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { blobRoutePrefix, createBlobNodeHandler } from "@swhub/api/http";
import { createDb } from "@swhub/db/client";
import next from "next";
import { blobDirectory, getEnv } from "./src/env";

/** How long a stop waits for requests in flight (uploads, downloads, live job events) before cutting them. */
const STOP_GRACE_MS = 8_000;

const log = (line: string) => console.log(`web: ${line}`);

function parsePort(value: string | undefined): number {
  if (value === undefined || value === "") return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Invalid setting PORT="${value}": expected a port number`);
  }
  return port;
}

async function main() {
  const dev = process.argv.includes("--dev");
  const port = parsePort(process.env.PORT);
  const dir = dirname(fileURLToPath(import.meta.url));
  // As `next start` and `next dev` do; React and Next's bundles check it. (Next's types make it read-only.)
  (process.env as Record<string, string | undefined>).NODE_ENV ??= dev ? "development" : "production";

  // Loads the config and, like `next start`/`next dev`, the app's .env files, so settings are read after it.
  const app = next({ dev, dir, hostname: "localhost", port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();

  const env = getEnv();
  const db = await createDb({ url: env.DATABASE_URL });
  const blobHandler = createBlobNodeHandler({ db, blobs: createDirectoryBlobStore(blobDirectory(env)) });

  const server = createServer((req, res) => {
    const handled = req.url?.startsWith(blobRoutePrefix) ? blobHandler(req, res) : nextHandler(req, res);
    handled.catch((error: unknown) => {
      console.error("request failed:", error);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal Server Error");
      } else {
        res.destroy();
      }
    });
  });
  const upgrade = app.getUpgradeHandler();
  server.on("upgrade", (req, socket, head) => {
    upgrade(req, socket, head).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve();
    });
  });
  log(`ready on http://localhost:${port}${dev ? " (dev)" : ""}`);

  // Stops taking connections, lets requests in flight finish (up to STOP_GRACE_MS), then closes Next and the pool.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Kept-alive connections close as soon as their request is answered.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearInterval(idle);
    clearTimeout(cut);
    await Promise.allSettled([app.close(), db.close()]);
    log("stopped");
    // Next's own Redis and database connections (through ~/server/services) do not stop on their own.
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(`web: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
