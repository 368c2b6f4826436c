import { createHash, type Hash } from "node:crypto";
import type { Database } from "@swhub/db/client";
import { blobUploads } from "@swhub/db/schema";
import { UPLOAD_OFFSET_HEADER, type UploadState } from "@swhub/shared/blob-protocol";
import { conflict, notFound } from "@swhub/shared/errors";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { HttpAppError } from "../errors";
import { type Actor, requireProjectRole } from "./access";

/*
 * What the upload services share: the row lookup, the write lease, and the in-process hash state.
 */

/** A writer stops after this long, well inside its lease, so an expired lease always belongs to a dead process. */
export const writeDeadlineMs = 30 * 60_000;
const leaseSeconds = 60 * 60;

/**
 * sha256 state of uploads this process wrote from byte 0 without a gap, so finishing needs no second read of the
 * bytes. Any doubt (another process wrote a chunk, a write failed) drops the entry and finishing re-reads instead.
 */
export const hashes = new Map<string, { offset: number; hash: Hash }>();
const maxCachedHashes = 1000;

export function cacheHash(uploadId: string, start: number): { offset: number; hash: Hash } | undefined {
  const cached = hashes.get(uploadId);
  if (cached && cached.offset === start) return cached;
  hashes.delete(uploadId);
  if (start !== 0) return undefined;
  if (hashes.size >= maxCachedHashes) hashes.delete(hashes.keys().next().value!);
  const fresh = { offset: 0, hash: createHash("sha256") };
  hashes.set(uploadId, fresh);
  return fresh;
}

export function toState(row: typeof blobUploads.$inferSelect): UploadState {
  return { status: "uploading", uploadId: row.id, digest: row.digest, size: row.size, offset: row.offset };
}

/** An upload of this project that the caller started (or any, for an admin); `not_found` otherwise. */
export async function findUpload(db: Database, input: { user: Actor; project: string; uploadId: string }) {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  const [row] = await db
    .select()
    .from(blobUploads)
    .where(and(eq(blobUploads.id, input.uploadId), eq(blobUploads.projectId, project.id)));
  if (!row || (!input.user!.isAdmin && row.createdBy !== Number(input.user!.id))) {
    throw notFound(
      `Upload ${input.uploadId} not found`,
      "it may have finished, been cancelled or expired; start again",
    );
  }
  return row;
}

export function outOfOrder(offset: number, start: number): HttpAppError {
  return new HttpAppError(
    "conflict",
    `The chunk starts at byte ${start}, but the upload is at byte ${offset}`,
    416,
    { [UPLOAD_OFFSET_HEADER]: String(offset) },
    `send the chunk that starts at byte ${offset}`,
  );
}

/**
 * Runs one small update without waiting for the disk flush. Safe for leases and offsets: if the server crashes
 * and the update is lost, the lease expires and the offset falls back to an earlier value; the next chunk truncates
 * the staged bytes to it, and the client re-sends a little. It saves two disk flushes per chunk.
 */
export function quickly<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL synchronous_commit = off`);
    return work(tx);
  });
}

/** Takes the write lease when the upload is at `offset` and nobody else writes it. */
export async function takeLease(
  db: Database,
  uploadId: string,
  offset: number,
  token: string,
): Promise<void> {
  const [taken] = await quickly(db, (tx) =>
    tx
      .update(blobUploads)
      .set({ writer: token, writerSince: sql`now()` })
      .where(
        and(
          eq(blobUploads.id, uploadId),
          eq(blobUploads.offset, offset),
          or(
            isNull(blobUploads.writer),
            lt(blobUploads.writerSince, sql`now() - make_interval(secs => ${leaseSeconds})`),
          ),
        ),
      )
      .returning({ id: blobUploads.id }),
  );
  if (taken) return;
  const [row] = await db.select().from(blobUploads).where(eq(blobUploads.id, uploadId));
  if (!row) throw notFound(`Upload ${uploadId} not found`);
  if (row.offset !== offset) throw outOfOrder(row.offset, offset);
  throw conflict("Another request is writing this upload right now", "wait for it, then ask for the offset");
}
