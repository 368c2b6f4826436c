import { createTrpcHandler } from "@swhub/api/http";
import { getBlobStore, getDb, getJobDeps } from "~/server/services";

const handler = createTrpcHandler({ db: getDb, blobs: getBlobStore, jobs: getJobDeps });

export { handler as GET, handler as POST };
