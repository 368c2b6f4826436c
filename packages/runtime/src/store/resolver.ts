import type { RuntimeResolver } from "@swhub/shared/uri";
import type { Store } from "./layout";
import { readTagIndex } from "./tag-index";
import { newestFirst, runtimeNames, scanVersions } from "./versions";

/**
 * Resolves names, tags and prefixes against the files of the standalone store. Removed versions are invisible
 * (their tags lie dormant until a recover), and `latest` is always the newest version present, whatever an older
 * tool left in the index. With `removed`, it resolves among the recycle area instead, for `recover`.
 */
export function storeResolver(store: Store, options: { removed?: boolean } = {}): RuntimeResolver {
  const removed = options.removed ?? false;
  return {
    async runtimeExists(project, name) {
      return (await scanVersions(store, project, name, removed)).length > 0;
    },
    async tags(project, name) {
      const [index, versions] = await Promise.all([
        readTagIndex(store, project, name),
        scanVersions(store, project, name, removed),
      ]);
      const present = new Set(versions.map((v) => v.version));
      const tags = Object.fromEntries(Object.entries(index.tags).filter(([, v]) => present.has(v)));
      const newest = newestFirst(index, versions)[0];
      if (newest && !removed) tags.latest = newest.version;
      return tags;
    },
    async versionsWithPrefix(project, name, prefix) {
      const names = name === undefined ? await runtimeNames(store, project, removed) : [name];
      const all = await Promise.all(names.map((n) => scanVersions(store, project, n, removed)));
      return all
        .flat()
        .filter((v) => v.version.startsWith(prefix))
        .map(({ name: n, version }) => ({ name: n, version }));
    },
  };
}
