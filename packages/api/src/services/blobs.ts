import type { Readable } from "node:stream";
import type { Database } from "@swhub/db/client";
import { blobs, blobUploads, jobs, projectBlobs, runtimes, runtimeVersions } from "@swhub/db/schema";
import { notFound } from "@swhub/shared/errors";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { BlobStore } from "../blobs/store";
import { isForeignKeyViolation } from "../errors";
import { type Actor, getProjectAccess, requireAdmin } from "./access";

export interface BlobDownload {
  digest: string;
  size: number;
  /** The bytes, or the inclusive range `start..end` of them. */
  read(range?: { start: number; end: number }): Promise<Readable>;
}

/**
 * A blob for download: it must be the bundle of a version (not removed) in a project the caller can read. Any
 * other digest, whether it exists elsewhere on the server or not, is `not_found`.
 */
export async function openProjectBlob(
  db: Database,
  store: BlobStore,
  input: { user: Actor; project: string; digest: string },
): Promise<BlobDownload> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const [row] = await db
    .select({ digest: blobs.digest, size: blobs.size })
    .from(runtimeVersions)
    .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
    .innerJoin(blobs, eq(blobs.digest, runtimeVersions.bundleDigest))
    .where(
      and(
        eq(runtimes.projectId, project.id),
        eq(runtimeVersions.bundleDigest, input.digest),
        isNull(runtimeVersions.removedAt),
      ),
    )
    .limit(1);
  if (!row) throw notFound(`Blob ${input.digest} not found in project "${project.name}"`);
  return { digest: row.digest, size: row.size, read: (range) => store.read(row.digest, range) };
}

export interface GarbageReport {
  /** Unfinished uploads dropped (no chunk for longer than the cut-off). */
  uploads: number;
  /** Blobs deleted, and their bytes. */
  blobs: number;
  bytes: number;
  /** Files in the store that no row knew of (left by a crash), deleted. */
  strayFiles: number;
}

/**
 * Deletes what nothing refers to, when it is older than `olderThanSeconds` (so uploads in progress and blobs about
 * to be committed are safe): unfinished uploads, a project's claim on a blob that no version of it uses (and no
 * build job waiting for it, running on it, or ended within the cut-off), blobs no
 * version and no project refers to, and files the store has but the database doesn't know. Removed versions still
 * refer to their blobs (they can be recovered); `remove --force` and deleting a project free them. A dry run
 * counts the uploads and blobs that would go, but not blobs that only unused claims still hold.
 */
export async function collectGarbage(
  db: Database,
  store: BlobStore,
  input: { olderThanSeconds: number; dryRun?: boolean },
): Promise<GarbageReport> {
  const cutoff = sql`now() - make_interval(secs => ${input.olderThanSeconds})`;
  const cutoffDate = new Date(Date.now() - input.olderThanSeconds * 1000);
  const report: GarbageReport = { uploads: 0, blobs: 0, bytes: 0, strayFiles: 0 };

  const staleUploads = await db
    .select({ id: blobUploads.id })
    .from(blobUploads)
    .where(
      and(
        lt(blobUploads.updatedAt, cutoff),
        or(isNull(blobUploads.writer), lt(blobUploads.writerSince, cutoff)),
      ),
    );
  report.uploads = staleUploads.length;
  if (!input.dryRun) {
    for (const { id } of staleUploads) {
      await db.delete(blobUploads).where(eq(blobUploads.id, id));
      await store.deleteUpload(id);
    }
  }

  // A build's context is claimed by the project but used by no version: it stays while a job that names it waits
  // or runs, however long its queue, and for the cut-off after the job ends, so that it can be retried.
  const unusedClaims = and(
    lt(projectBlobs.createdAt, cutoff),
    sql`NOT EXISTS (SELECT 1 FROM ${runtimeVersions} v JOIN ${runtimes} r ON r.id = v.runtime_id
      WHERE r.project_id = ${projectBlobs.projectId} AND v.bundle_digest = ${projectBlobs.digest})`,
    sql`NOT EXISTS (SELECT 1 FROM ${jobs} j WHERE j.project_id = ${projectBlobs.projectId}
      AND j.payload->'source'->>'contextDigest' = ${projectBlobs.digest}
      AND (j.state IN ('queued', 'running') OR j.finished_at >= ${cutoff}))`,
  );
  if (!input.dryRun) await db.delete(projectBlobs).where(unusedClaims);

  const unreferenced = await db
    .select({ digest: blobs.digest, size: blobs.size })
    .from(blobs)
    .where(
      and(
        lt(blobs.createdAt, cutoff),
        sql`NOT EXISTS (SELECT 1 FROM ${runtimeVersions} v WHERE v.bundle_digest = ${blobs.digest})`,
        sql`NOT EXISTS (SELECT 1 FROM ${projectBlobs} p WHERE p.digest = ${blobs.digest})`,
      ),
    );
  for (const blob of unreferenced) {
    if (input.dryRun || (await deleteBlob(db, store, blob.digest))) {
      report.blobs++;
      report.bytes += blob.size;
    }
  }

  if (!input.dryRun) {
    for await (const upload of store.listUploads()) {
      if (upload.modifiedAt >= cutoffDate) continue;
      const [row] = await db
        .select({ id: blobUploads.id })
        .from(blobUploads)
        .where(eq(blobUploads.id, upload.uploadId));
      if (!row) {
        await store.deleteUpload(upload.uploadId);
        report.strayFiles++;
      }
    }
    for await (const file of store.list()) {
      if (file.modifiedAt >= cutoffDate) continue;
      if (await deleteBlob(db, store, file.digest, { onlyStray: true })) report.strayFiles++;
    }
  }
  return report;
}

/**
 * Deletes one blob's row and bytes if, under the digest's lock, nothing refers to it (or, with `onlyStray`, if it
 * has no row at all). A commit that refers to it at the same moment wins: its foreign key keeps the row.
 */
async function deleteBlob(
  db: Database,
  store: BlobStore,
  digest: string,
  options: { onlyStray?: boolean } = {},
): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${digest}))`);
      if (options.onlyStray) {
        const [row] = await tx.select({ digest: blobs.digest }).from(blobs).where(eq(blobs.digest, digest));
        if (row) return false;
      } else {
        const deleted = await tx
          .delete(blobs)
          .where(
            and(
              eq(blobs.digest, digest),
              sql`NOT EXISTS (SELECT 1 FROM ${runtimeVersions} v WHERE v.bundle_digest = ${blobs.digest})`,
              sql`NOT EXISTS (SELECT 1 FROM ${projectBlobs} p WHERE p.digest = ${blobs.digest})`,
            ),
          )
          .returning({ digest: blobs.digest });
        if (deleted.length === 0) return false;
      }
      await store.delete(digest);
      return true;
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) return false;
    throw error;
  }
}

/** Garbage collection on demand, for administrators. */
export function collectGarbageAsAdmin(
  db: Database,
  store: BlobStore,
  input: { user: Actor; olderThanSeconds: number; dryRun?: boolean },
): Promise<GarbageReport> {
  requireAdmin(input.user);
  return collectGarbage(db, store, input);
}
