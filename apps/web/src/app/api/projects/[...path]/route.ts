import { createBlobHandler } from "@swhub/api/http";
import { getBlobStore, getDb } from "~/server/services";

export const dynamic = "force-dynamic";

/** The blob protocol (`@swhub/shared/blob-protocol`): missing, uploads in chunks, finish, download with Range. */
async function handler(req: Request): Promise<Response> {
  return createBlobHandler({ db: await getDb(), blobs: getBlobStore() })(req);
}

export { handler as DELETE, handler as GET, handler as HEAD, handler as PATCH, handler as POST };
