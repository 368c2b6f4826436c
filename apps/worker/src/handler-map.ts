import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HandlerMap } from "./handlers";
import { type BuildHandlerSettings, createBuildHandler } from "./handlers/build";
import { createDockerizeHandler, type DockerizeHandlerSettings } from "./handlers/dockerize";
import { collectGarbageHandler } from "./handlers/gc";

/** The worker's handler for every job of the catalog. */
export function createHandlers(
  settings: BuildHandlerSettings & { images?: Omit<DockerizeHandlerSettings, "env"> },
): HandlerMap {
  const images = settings.images ?? { cacheDir: defaultImageCacheDir() };
  return {
    "runtime.build": createBuildHandler(settings),
    "runtime.dockerize": createDockerizeHandler({
      ...images,
      env: settings.env,
      indexUrl: images.indexUrl ?? settings.indexUrl,
      findLinks: images.findLinks ?? settings.findLinks,
    }),
    "blobs.gc": collectGarbageHandler,
  };
}

/** Where image layers are cached when the worker names no place: one directory per machine user. */
export function defaultImageCacheDir(): string {
  return join(tmpdir(), "swhub-dockerize-cache");
}
