import { type HandlerMap, notImplemented } from "./handlers";
import { type BuildHandlerSettings, createBuildHandler } from "./handlers/build";
import { collectGarbageHandler } from "./handlers/gc";

/** The worker's handler for every job of the catalog. */
export function createHandlers(settings: BuildHandlerSettings): HandlerMap {
  return {
    "runtime.build": createBuildHandler(settings),
    "runtime.dockerize": notImplemented("runtime.dockerize"),
    "blobs.gc": collectGarbageHandler,
  };
}
