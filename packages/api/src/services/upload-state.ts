import type { Database } from "@swhub/db/client";
import { blobUploads } from "@swhub/db/schema";
import { backgroundSha256, inlineSha256, type PieceHash } from "@swhub/runtime/fs/background-hash";
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
const hashes = new Map<string, { offset: number; hash: PieceHash; touched: number }>();
const maxCachedHashes = 1000;
/**
 * Uploads that hash on a thread of their own (the request's thread then only moves bytes); the others hash
 * inline. A few: each is a thread, and an upload its client abandoned keeps one until it is dropped.
 */
const maxBackgroundHashes = 4;
const idleMs = 10 * 60_000;
let background = 0;

export function cacheHash(uploadId: string, start: number): { offset: number; hash: PieceHash } | undefined {
  const cached = hashes.get(uploadId);
  if (cached && cached.offset === start) {
    cached.touched = Date.now();
    return cached;
  }
  dropHash(uploadId);
  if (start !== 0) return undefined;
  if (hashes.size >= maxCachedHashes) dropHash(hashes.keys().next().value!);
  const fresh = { offset: 0, hash: newHash(), touched: Date.now() };
  hashes.set(uploadId, fresh);
  return fresh;
}

/** Takes an upload's hash state out of the cache, for finishing; undefined when this process has none. */
export function takeHash(uploadId: string): { offset: number; hash: PieceHash } | undefined {
  const cached = hashes.get(uploadId);
  hashes.delete(uploadId);
  return cached;
}

/** Forgets an upload's hash state (finishing will read the bytes back instead). */
export function dropHash(uploadId: string): void {
  takeHash(uploadId)?.hash.stop();
}

function newHash(): PieceHash {
  if (background >= maxBackgroundHashes) {
    // Slots held by uploads nobody has written to for a while go back first.
    for (const [id, entry] of hashes) if (Date.now() - entry.touched > idleMs) dropHash(id);
  }
  if (background >= maxBackgroundHashes) return inlineSha256();
  background++;
  const hash = backgroundSha256();
  let released = false;
  const release = () => {
    if (!released) background--;
    released = true;
  };
  return {
    update: (pieces) => hash.update(pieces),
    digest: () => hash.digest().finally(release),
    stop() {
      release();
      hash.stop();
    },
  };
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
