export { type BlobRouteDeps, blobRoutePrefix, blobRoutes, createBlobHandler } from "./blob-routes";
export { errorResponse } from "./respond";
export { serveApi } from "./serve";
export { createTrpcHandler } from "./trpc-handler";
