import type { Database } from "@swhub/db/client";
import { runtimeVersions } from "@swhub/db/schema";
import { diffRuntimes, type RuntimeDiff } from "@swhub/shared/runtime-diff";
import { eq } from "drizzle-orm";
import { type Actor, getProjectAccess } from "./access";
import { getRuntimeRow, getVersionRow, resolveRuntimeRef } from "./runtime-resolver";
import { summarizeVersions, type VersionSummary } from "./runtime-rows";

export interface VersionDiff {
  project: string;
  from: VersionSummary;
  to: VersionSummary;
  diff: RuntimeDiff;
}

/** One side of a diff: the version a reference names, with its manifest and lock files. */
async function loadSide(db: Database, project: { id: number; name: string }, name: string, version: string) {
  const resolved = await resolveRuntimeRef(db, project, { name, version });
  const runtime = await getRuntimeRow(db, project.id, resolved.name);
  const row = await getVersionRow(db, runtime.id, resolved.version!);
  const [[summary], [detail]] = await Promise.all([
    summarizeVersions(db, [{ ...row, name: runtime.name }]),
    db
      .select({ manifest: runtimeVersions.manifest, lockFiles: runtimeVersions.lockFiles })
      .from(runtimeVersions)
      .where(eq(runtimeVersions.id, row.id)),
  ]);
  return { summary: summary!, side: { manifest: detail!.manifest, lockFiles: detail!.lockFiles } };
}

/**
 * What changed from one version to another, both in one project the caller can read: environment facts and
 * locked packages. The versions may belong to different runtimes (`toName`), e.g. a fork and its origin.
 */
export async function diffVersions(
  db: Database,
  input: { user: Actor; project: string; name: string; from: string; to: string; toName?: string },
): Promise<VersionDiff> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const [from, to] = await Promise.all([
    loadSide(db, project, input.name, input.from),
    loadSide(db, project, input.toName ?? input.name, input.to),
  ]);
  return {
    project: project.name,
    from: from.summary,
    to: to.summary,
    diff: diffRuntimes(from.side, to.side),
  };
}
