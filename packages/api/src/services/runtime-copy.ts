import type { Database } from "@swhub/db/client";
import { runtimeTags, runtimeVersions } from "@swhub/db/schema";
import { invalidInput } from "@swhub/shared/errors";
import { assertRuntimeName } from "@swhub/shared/names";
import { asc, eq } from "drizzle-orm";
import { type Actor, getProjectAccess, requireProjectRole } from "./access";
import { type CommitResult, recordVersion } from "./runtime-commit";
import { getRuntimeRow, type RuntimeRef, resolveRuntimeRef } from "./runtime-resolver";
import { isVersion } from "./runtime-rows";

/**
 * Copies a version from one project to another (or to another name) on this server: server→server copy with
 * both ends here. No bytes move: the destination refers to the same blob. The caller must be able to read the
 * source and write the destination. The source's user tags come along, except `ignoreTags`; a tag another
 * destination version holds moves only with `force`.
 */
export async function copyVersion(
  db: Database,
  input: {
    user: Actor;
    from: { project: string } & RuntimeRef;
    to: { project: string; name?: string };
    force?: boolean;
    ignoreTags?: string[];
  },
): Promise<CommitResult> {
  const source = await getProjectAccess(db, input.user, input.from.project);
  const target = await requireProjectRole(db, input.user, input.to.project, "maintainer");
  const resolved = await resolveRuntimeRef(db, source.project, input.from);
  const name = input.to.name ?? resolved.name;
  assertRuntimeName(name);
  if (source.project.id === target.project.id && name === resolved.name) {
    throw invalidInput("The source and destination are the same version", "give another project or name");
  }
  const runtime = await getRuntimeRow(db, source.project.id, resolved.name);
  const [row] = await db.select().from(runtimeVersions).where(isVersion(runtime.id, resolved.version!));
  const tags = await db
    .select({ tag: runtimeTags.tag })
    .from(runtimeTags)
    .where(eq(runtimeTags.versionId, row!.id))
    .orderBy(asc(runtimeTags.tag));
  const ignored = new Set(input.ignoreTags ?? []);
  return recordVersion(db, {
    projectId: target.project.id,
    projectName: target.project.name,
    name,
    userId: Number(input.user!.id),
    content: {
      version: row!.version,
      manifest: row!.manifest as Record<string, unknown>,
      bundleDigest: row!.bundleDigest,
      bundleSize: row!.bundleSize,
      files: row!.files,
      runtimeYaml: row!.runtimeYaml,
      lockFiles: row!.lockFiles,
    },
    tags: tags.map((t) => t.tag).filter((t) => !ignored.has(t)),
    force: input.force ?? false,
  });
}
