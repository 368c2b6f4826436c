import { isAppError } from "@swhub/shared/errors";
import type { RuntimeResolver } from "@swhub/shared/uri";
import type { ServerConnection } from "./server";

/**
 * The shared `RuntimeResolver` over a server's API, so `cloud://…` URIs resolve by the same rules (and with the
 * same messages) as local ones. The server answers each question with its own database resolver
 * (`runtime.resolve`); `removed` resolves among removed versions (for recover).
 */
export function serverResolver(
  server: ServerConnection,
  options: { removed?: boolean } = {},
): RuntimeResolver {
  const removed = options.removed ?? false;
  const resolve = (input: { project: string; name: string; version?: string; bareWord?: boolean }) =>
    server.call((t) => t.runtime.resolve.query({ ...input, removed })).catch(orNotFound);

  return {
    async runtimeExists(project, name) {
      if (await resolve({ project, name })) return true;
      // A missing or unreadable project is its own error, not "no runtime named …".
      await server.call((t) => t.project.get.query({ project }));
      return false;
    },
    async tagged(project, name, tag) {
      return (await resolve({ project, name, version: tag }))?.version;
    },
    async tags(project, name) {
      const out: Record<string, string> = {};
      for (let page = 1; ; page++) {
        const history = await server.call((t) =>
          t.runtime.history.query({ project, name, page, size: 100, showRemoved: removed }),
        );
        for (const item of history.items) for (const tag of item.tags) out[tag] ??= item.version;
        if (page * history.size >= history.total) return out;
      }
    },
    async versionsWithPrefix(project, name, prefix) {
      const hit =
        name === undefined
          ? await resolve({ project, name: prefix, bareWord: true })
          : await resolve({ project, name, version: prefix });
      return hit ? [{ name: hit.name, version: hit.version }] : [];
    },
  };
}

function orNotFound(error: unknown): undefined {
  if (isAppError(error) && error.code === "not_found") return undefined;
  throw error;
}
