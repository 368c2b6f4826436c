import type { Database } from "@swhub/db/client";
import { runtimes, runtimeVersions } from "@swhub/db/schema";
import { isAppError, notFound } from "@swhub/shared/errors";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { type Actor, requireProjectRole } from "./access";
import { type RuntimeRef, resolveRuntimeRef } from "./runtime-resolver";
import { lockRuntime } from "./runtime-rows";

/** A runtime counts as removed when none of its versions is left; kept in `runtimes.removed_at`. */
async function syncRuntimeRemoved(tx: Database, runtimeId: number): Promise<void> {
  await tx
    .update(runtimes)
    .set({
      removedAt: sql`CASE WHEN EXISTS (SELECT 1 FROM ${runtimeVersions} v
        WHERE v.runtime_id = ${runtimes.id} AND v.removed_at IS NULL) THEN NULL ELSE coalesce(${runtimes.removedAt}, now()) END`,
    })
    .where(eq(runtimes.id, runtimeId));
}

/**
 * `remove`: one version, or every version when none is given (DESIGN.md difference 3). A soft remove keeps the
 * versions and their tags (dormant) for `recover`; `latest` moves to the newest version left. With `force` the
 * versions are deleted for good (their `vN` numbers stay used), and their blobs are freed by the next garbage
 * collection. Maintainers and up.
 */
export async function removeRuntime(
  db: Database,
  input: { user: Actor; project: string; force?: boolean } & RuntimeRef,
): Promise<{ name: string; versions: string[]; purged: boolean }> {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  const { name, version } = await resolveRuntimeRef(db, project, input, { defaultVersion: undefined }).catch(
    // Deleting for good also reaches versions that are already removed.
    (error: unknown) => {
      if (!input.force || !isAppError(error) || error.code !== "not_found") throw error;
      return resolveRuntimeRef(db, project, input, { removed: true, defaultVersion: undefined });
    },
  );
  return db.transaction(async (tx) => {
    const runtime = await lockRuntime(tx, project.id, name);
    const targets = and(
      eq(runtimeVersions.runtimeId, runtime.id),
      version === undefined
        ? input.force
          ? undefined
          : isNull(runtimeVersions.removedAt)
        : eq(runtimeVersions.version, version),
    );
    const rows = input.force
      ? await tx.delete(runtimeVersions).where(targets).returning({ version: runtimeVersions.version })
      : await tx
          .update(runtimeVersions)
          .set({ removedAt: sql`now()` })
          .where(targets)
          .returning({ version: runtimeVersions.version });
    if (rows.length === 0) throw notFound(`Runtime ${name} has no version to remove`);
    // The runtime row stays (marked removed) even when every version is deleted, so its vN numbers are never
    // handed out again.
    await syncRuntimeRemoved(tx, runtime.id);
    return { name, versions: rows.map((r) => r.version), purged: input.force ?? false };
  });
}

/**
 * `recover`: one removed version (by full id, prefix, dormant tag or `vN`), or every removed version when none is
 * given. Recovered versions get their tags back, and `latest` is again the newest version present. Owners only.
 */
export async function recoverRuntime(
  db: Database,
  input: { user: Actor; project: string } & RuntimeRef,
): Promise<{ name: string; versions: string[] }> {
  const { project } = await requireProjectRole(db, input.user, input.project, "owner");
  const { name, version } = await resolveRuntimeRef(db, project, input, {
    removed: true,
    defaultVersion: undefined,
  });
  return db.transaction(async (tx) => {
    const runtime = await lockRuntime(tx, project.id, name);
    const rows = await tx
      .update(runtimeVersions)
      .set({ removedAt: null })
      .where(
        and(
          eq(runtimeVersions.runtimeId, runtime.id),
          isNotNull(runtimeVersions.removedAt),
          version === undefined ? undefined : inArray(runtimeVersions.version, [version]),
        ),
      )
      .returning({ version: runtimeVersions.version });
    if (rows.length === 0) throw notFound(`Runtime ${name} has no removed version to recover`);
    await syncRuntimeRemoved(tx, runtime.id);
    return { name, versions: rows.map((r) => r.version) };
  });
}
