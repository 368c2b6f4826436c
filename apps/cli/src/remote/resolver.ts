import { isAppError } from "@swhub/shared/errors";
import type { RuntimeResolver } from "@swhub/shared/uri";
import { remembering } from "./remembering";
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
  // "Does it exist" and "which version is latest" are one question (the server resolves a missing version as
  // `latest`), asked once.
  const resolve = remembering(
    (input: { project: string; name: string; version?: string; bareWord?: boolean }) => [
      input.project,
      input.name,
      input.version ?? "latest",
      input.bareWord ?? false,
    ],
    (input) => server.call((t) => t.runtime.resolve.query({ ...input, removed })).catch(orNotFound),
  );

  /** Every version of a runtime, removed ones included; none when it doesn't exist. */
  const versions = async (project: string, name: string) => {
    const out: { version: string; tags: string[]; removed: boolean }[] = [];
    for (let page = 1; ; page++) {
      const got = await server
        .call((t) => t.runtime.history.query({ project, name, page, size: 100, showRemoved: true }))
        .catch(orNotFound);
      if (!got) return out;
      out.push(...got.items);
      if (page * got.size >= got.total || got.items.length === 0) return out;
    }
  };

  return {
    async runtimeExists(project, name) {
      // Among removed versions there is no `latest` to resolve, so look at the history instead.
      const found = removed
        ? (await versions(project, name)).some((v) => v.removed)
        : Boolean(await resolve({ project, name }));
      if (found) return true;
      // A missing or unreadable project is its own error, not "no runtime named …".
      await server.call((t) => t.project.get.query({ project }));
      return false;
    },
    async tagged(project, name, tag) {
      return (await resolve({ project, name, version: tag }))?.version;
    },
    async tags(project, name) {
      const out: Record<string, string> = {};
      for (const v of await versions(project, name)) {
        if (v.removed !== removed) continue;
        for (const tag of v.tags) out[tag] ??= v.version;
      }
      return out;
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
