export {
  type BlobRouteDeps,
  blobRoutePrefix,
  blobRoutes,
  createBlobNodeHandler,
} from "./blob-routes";
export { createJobEventsHandler, jobEventsRoutePrefix } from "./job-events-route";
export { errorResponse } from "./respond";
export { serveApi } from "./serve";
export { createTrpcHandler } from "./trpc-handler";
