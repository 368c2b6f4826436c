import { AppError } from "@swhub/shared/errors";
import { assertUserTag, autoTagSeq, isBuiltinTag, userTagProblem } from "@swhub/shared/names";
import { shortVersion } from "@swhub/shared/version-id";
import type { Store } from "./layout";
import { assignAutoTag, dropTag, refreshLatest, setTag, tagsOf, updateTagIndex } from "./tag-index";
import { newestFirst, scanVersions } from "./versions";

/**
 * Records a new version in the tag index after its bundle is in place (build, copy): the user's tags, the next
 * `vN`, and `latest`. Tags given at build time move to the new version, as Starwhale does.
 */
export async function registerVersion(
  store: Store,
  project: string,
  name: string,
  version: string,
  userTags: string[] = [],
) {
  for (const tag of userTags) assertUserTag(tag);
  return updateTagIndex(store, project, name, async (index) => {
    for (const tag of userTags) setTag(index, tag, version);
    // A version copied in again keeps its number.
    const hasNumber = Object.keys(index.versions[version] ?? {}).some((t) => autoTagSeq(t) !== undefined);
    const auto = hasNumber ? undefined : assignAutoTag(index, version);
    refreshLatest(
      index,
      newestFirst(index, await scanVersions(store, project, name)).map((v) => v.version),
    );
    return { autoTag: auto, tags: tagsOf(index, version) };
  });
}

export interface TagChange {
  /** Move a tag that another version holds (`-f/--force-add`). */
  force?: boolean;
  /** Skip what can't be done instead of failing (`-q/--quiet`); the skipped tags are returned. */
  quiet?: boolean;
}

/**
 * Adds user tags to a version. A tag names one version per runtime: one that another version holds moves only with
 * `force`, on the standalone instance as on a server (the seed: "duplicated tag names are not allowed").
 */
export async function addTags(
  store: Store,
  project: string,
  name: string,
  version: string,
  tags: string[],
  change: TagChange = {},
) {
  const skipped: string[] = [];
  for (const tag of tags) {
    if (!change.quiet) assertUserTag(tag);
  }
  await updateTagIndex(store, project, name, (index) => {
    for (const tag of tags) {
      if (userTagProblem(tag)) {
        skipped.push(tag);
        continue;
      }
      const holder = index.tags[tag];
      if (holder !== undefined && holder !== version && !change.force) {
        if (change.quiet) {
          skipped.push(tag);
          continue;
        }
        throw new AppError(
          "conflict",
          `tag "${tag}" is already on version ${shortVersion(holder)} of ${name}`,
          "add -f to move it to this version",
        );
      }
      setTag(index, tag, version);
    }
  });
  return { skipped };
}

/** Removes user tags from whichever version holds them. An unknown tag is an error unless `quiet`. */
export async function removeTags(
  store: Store,
  project: string,
  name: string,
  tags: string[],
  change: TagChange = {},
) {
  const skipped: string[] = [];
  await updateTagIndex(store, project, name, (index) => {
    for (const tag of tags) {
      if (isBuiltinTag(tag) || index.tags[tag] === undefined) {
        if (!change.quiet) {
          if (isBuiltinTag(tag)) assertUserTag(tag);
          throw new AppError("not_found", `runtime ${name} has no tag "${tag}"`);
        }
        skipped.push(tag);
        continue;
      }
      dropTag(index, tag);
    }
  });
  return { skipped };
}
