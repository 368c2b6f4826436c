import type { Database } from "@swhub/db/client";
import { runtimeTags, runtimeVersions } from "@swhub/db/schema";
import { conflict, invalidInput, notFound } from "@swhub/shared/errors";
import { userTagProblem } from "@swhub/shared/names";
import { shortVersion } from "@swhub/shared/version-id";
import { and, asc, eq, inArray } from "drizzle-orm";
import { isUniqueViolation } from "../errors";
import { type Actor, requireProjectRole } from "./access";
import { type RuntimeRef, resolveRuntimeRef } from "./runtime-resolver";
import { isVersion, lockRuntime } from "./runtime-rows";

function checkTags(tags: string[]): string[] {
  if (tags.length === 0) throw invalidInput("Give at least one tag");
  const problem = tags.map(userTagProblem).find(Boolean);
  if (problem) throw invalidInput(problem);
  return [...new Set(tags)];
}

/** Runs `work` with the runtime row locked, so tag moves and commits on one runtime take turns. */
async function withRuntimeLocked<T>(
  db: Database,
  projectId: number,
  name: string,
  work: (tx: Database, runtimeId: number) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction(async (tx) => {
      const runtime = await lockRuntime(tx, projectId, name);
      return work(tx, runtime.id);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`The tags of ${name} changed at the same time; try again`);
    throw error;
  }
}

async function tagsOfVersion(tx: Database, versionId: number): Promise<string[]> {
  const rows = await tx
    .select({ tag: runtimeTags.tag })
    .from(runtimeTags)
    .where(eq(runtimeTags.versionId, versionId))
    .orderBy(asc(runtimeTags.tag));
  return rows.map((r) => r.tag);
}

/**
 * Adds user tags to a version. A tag names one version per runtime: one that another (live) version holds moves
 * only with `force`. A tag lying dormant on a removed version moves without it. `latest` and `vN` are refused.
 */
export async function addTags(
  db: Database,
  input: { user: Actor; project: string; tags: string[]; force?: boolean } & RuntimeRef,
): Promise<{ name: string; version: string; tags: string[] }> {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  const tags = checkTags(input.tags);
  const { name, version } = await resolveRuntimeRef(db, project, input);
  return withRuntimeLocked(db, project.id, name, async (tx, runtimeId) => {
    const [target] = await tx
      .select({ id: runtimeVersions.id, removedAt: runtimeVersions.removedAt })
      .from(runtimeVersions)
      .where(isVersion(runtimeId, version!));
    if (!target || target.removedAt)
      throw notFound(`Version ${shortVersion(version!)} of ${name} was removed`);
    const holders = await tx
      .select({
        tag: runtimeTags.tag,
        versionId: runtimeTags.versionId,
        version: runtimeVersions.version,
        removedAt: runtimeVersions.removedAt,
      })
      .from(runtimeTags)
      .innerJoin(runtimeVersions, eq(runtimeVersions.id, runtimeTags.versionId))
      .where(and(eq(runtimeTags.runtimeId, runtimeId), inArray(runtimeTags.tag, tags)));
    // A tag lying dormant on a removed version doesn't block.
    const taken = holders.find((h) => h.versionId !== target.id && h.removedAt === null);
    if (taken && !input.force) {
      throw conflict(
        `Tag "${taken.tag}" is already on version ${shortVersion(taken.version)} of ${name}`,
        "use force to move it to this version",
      );
    }
    for (const tag of tags) {
      await tx
        .insert(runtimeTags)
        .values({ runtimeId, versionId: target.id, tag })
        .onConflictDoUpdate({
          target: [runtimeTags.runtimeId, runtimeTags.tag],
          set: { versionId: target.id },
        });
    }
    return { name, version: version!, tags: await tagsOfVersion(tx, target.id) };
  });
}

/**
 * Removes user tags from whichever version holds them, or, when a version is given, from that version (a tag it
 * doesn't hold is then `not_found`). `latest` and `vN` are refused.
 */
export async function removeTags(
  db: Database,
  input: { user: Actor; project: string; name: string; version?: string; tags: string[] },
): Promise<{ name: string; removed: string[] }> {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  const tags = checkTags(input.tags);
  const { name, version } = await resolveRuntimeRef(db, project, input, { defaultVersion: undefined });
  return withRuntimeLocked(db, project.id, name, async (tx, runtimeId) => {
    const held = await tx
      .select({ id: runtimeTags.id, tag: runtimeTags.tag, version: runtimeVersions.version })
      .from(runtimeTags)
      .innerJoin(runtimeVersions, eq(runtimeVersions.id, runtimeTags.versionId))
      .where(and(eq(runtimeTags.runtimeId, runtimeId), inArray(runtimeTags.tag, tags)));
    for (const tag of tags) {
      const found = held.find((h) => h.tag === tag && (version === undefined || h.version === version));
      if (!found) {
        const where = version === undefined ? name : `version ${shortVersion(version)} of ${name}`;
        throw notFound(`${where} has no tag "${tag}"`);
      }
    }
    await tx.delete(runtimeTags).where(
      inArray(
        runtimeTags.id,
        held.map((h) => h.id),
      ),
    );
    return { name, removed: tags };
  });
}
