export { authenticateCompat } from "./auth";
export type { CompatDeps } from "./context";
export { compatRoutePrefix, compatRoutes, createCompatHandler, unmanglePath } from "./routes";
