import { createTrpcHandler } from "@swhub/api/http";
import { getBlobStore, getDb } from "~/server/services";

const handler = createTrpcHandler({ db: getDb, blobs: getBlobStore });

export { handler as GET, handler as POST };
