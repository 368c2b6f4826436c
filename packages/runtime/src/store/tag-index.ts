import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { autoTagSeq, BUILTIN_LATEST_TAG } from "@swhub/shared/names";
import { type TagManifest, tagManifestSchema } from "@swhub/shared/schemas";
import { parse, stringify } from "yaml";
import { writeFileAtomic } from "../fs/atomic";
import { withFileLock } from "../fs/lock";
import { runtimeLockPath, type Store, tagIndexPath } from "./layout";

/** The tag index of one runtime: tag → version, and version → tags, kept in step. */
export type TagIndex = TagManifest;

function freshIndex(name: string): TagIndex {
  return { name, typ: "runtime", fast_tag_seq: -1, tags: {}, versions: {} };
}

export async function readTagIndex(store: Store, project: string, name: string): Promise<TagIndex> {
  const path = tagIndexPath(store, project, name);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return freshIndex(name);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    throw new AppError(
      "internal",
      `the tag index ${path} is not valid YAML`,
      "restore it from a backup, or delete it to forget the tags",
    );
  }
  const parsed = tagManifestSchema.safeParse(doc ?? { name });
  if (!parsed.success)
    throw new AppError("internal", `the tag index ${path} is damaged`, "delete it to forget the tags");
  return parsed.data;
}

/** Starwhale's timestamp format in the index: `2026-11-27 19:15:12 UTC`. */
function utcStamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Sorted keys, as Python's yaml.safe_dump writes them, so both tools produce the same file. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Changes one runtime's tag index under a cross-process lock, then writes it atomically: two swcli processes that
 * build or tag the same runtime at once both succeed, one after the other, and the file is never half-written.
 */
export async function updateTagIndex<T>(
  store: Store,
  project: string,
  name: string,
  change: (index: TagIndex) => Promise<T> | T,
): Promise<T> {
  const lock = runtimeLockPath(store, project, name);
  await mkdir(dirname(lock), { recursive: true });
  return withFileLock(lock, async () => {
    const index = await readTagIndex(store, project, name);
    const result = await change(index);
    const path = tagIndexPath(store, project, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, stringify(sortKeys({ ...index, name, updated_at: utcStamp() })));
    return result;
  });
}

export function setTag(index: TagIndex, tag: string, version: string): void {
  dropTag(index, tag);
  index.tags[tag] = version;
  index.versions[version] = { ...index.versions[version], [tag]: true };
}

export function dropTag(index: TagIndex, tag: string): void {
  const holder = index.tags[tag];
  if (holder === undefined) return;
  delete index.tags[tag];
  const tags = index.versions[holder];
  if (tags) {
    delete tags[tag];
    if (Object.keys(tags).length === 0) delete index.versions[holder];
  }
}

export function dropVersion(index: TagIndex, version: string): void {
  for (const tag of Object.keys(index.versions[version] ?? {})) dropTag(index, tag);
  delete index.versions[version];
}

export function tagsOf(index: TagIndex, version: string): string[] {
  return Object.keys(index.versions[version] ?? {}).sort(compareTags);
}

/** The N of a version's `vN` tag: the order in which versions arrived. */
export function arrivalSeq(index: TagIndex, version: string): number {
  const seqs = Object.keys(index.versions[version] ?? {})
    .map(autoTagSeq)
    .filter((n) => n !== undefined);
  return seqs.length > 0 ? Math.max(...seqs) : -1;
}

/** Hands out the next `vN`, never reusing a number, even after removals (spec §7.5). */
export function assignAutoTag(index: TagIndex, version: string): string {
  let seq = index.fast_tag_seq + 1;
  while (index.tags[`v${seq}`] !== undefined) seq++;
  index.fast_tag_seq = seq;
  const tag = `v${seq}`;
  setTag(index, tag, version);
  return tag;
}

/**
 * `latest` always points to the newest version that is not removed (DESIGN.md difference 3), or nowhere.
 * `live` lists the versions present, newest first.
 */
export function refreshLatest(index: TagIndex, live: string[]): void {
  dropTag(index, BUILTIN_LATEST_TAG);
  if (live.length > 0) setTag(index, BUILTIN_LATEST_TAG, live[0]!);
}

/** `latest` first, then `vN` by number, then user tags by name. */
export function compareTags(a: string, b: string): number {
  const rank = (t: string) => (t === BUILTIN_LATEST_TAG ? 0 : autoTagSeq(t) !== undefined ? 1 : 2);
  return rank(a) - rank(b) || (autoTagSeq(a) ?? 0) - (autoTagSeq(b) ?? 0) || a.localeCompare(b);
}
