import { createCompatHandler } from "@swhub/api/compat";
import { getBlobStore, getDb } from "~/server/services";

export const dynamic = "force-dynamic";

/**
 * Starwhale's server API for runtimes (`/api/v1`), so that Starwhale's own `swcli` can use this server: login,
 * projects, runtime list, info, history, upload, download, tags, remove and recover.
 */
async function handler(req: Request): Promise<Response> {
  return createCompatHandler({ db: await getDb(), blobs: getBlobStore() })(req);
}

export { handler as DELETE, handler as GET, handler as HEAD, handler as POST, handler as PUT };
