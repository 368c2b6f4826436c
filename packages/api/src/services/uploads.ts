import { createHash, type Hash, randomBytes } from "node:crypto";
import type { Database } from "@swhub/db/client";
import { blobs, blobUploads, projectBlobs } from "@swhub/db/schema";
import {
  type ContentRange,
  type CreateUploadResponse,
  type FinishedUpload,
  MAX_CHUNK_BYTES,
  UPLOAD_OFFSET_HEADER,
  type UploadState,
} from "@swhub/shared/blob-protocol";
import { conflict, invalidInput, notFound } from "@swhub/shared/errors";
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { type BlobStore, ChunkOverflow } from "../blobs/store";
import { HttpAppError } from "../errors";
import { type Actor, requireProjectRole } from "./access";

/**
 * Chunked, resumable uploads into a project (the protocol is in `@swhub/shared/blob-protocol`).
 *
 * The `blob_uploads` row is the authority on the offset. One request at a time writes an upload: it takes a lease
 * on the row, writes at the offset (dropping any bytes a dead writer left past it), then records how many bytes it
 * stored, even when the client went away halfway, so the next attempt continues there. Finishing hashes the bytes,
 * refuses a wrong digest (discarding the upload) and only then makes the blob visible, with a row in
 * `project_blobs` that lets this project (and only this one) refer to it.
 */

/** A writer stops after this long, well inside its lease, so an expired lease always belongs to a dead process. */
const writeDeadlineMs = 30 * 60_000;
const leaseSeconds = 60 * 60;

/**
 * sha256 state of uploads this process wrote from byte 0 without a gap, so finishing needs no second read of the
 * bytes. Any doubt (another process wrote a chunk, a write failed) drops the entry and finishing re-reads instead.
 */
const hashes = new Map<string, { offset: number; hash: Hash }>();
const maxCachedHashes = 1000;

function cacheHash(uploadId: string, start: number): { offset: number; hash: Hash } | undefined {
  const cached = hashes.get(uploadId);
  if (cached && cached.offset === start) return cached;
  hashes.delete(uploadId);
  if (start !== 0) return undefined;
  if (hashes.size >= maxCachedHashes) hashes.delete(hashes.keys().next().value!);
  const fresh = { offset: 0, hash: createHash("sha256") };
  hashes.set(uploadId, fresh);
  return fresh;
}

function toState(row: typeof blobUploads.$inferSelect): UploadState {
  return { status: "uploading", uploadId: row.id, digest: row.digest, size: row.size, offset: row.offset };
}

/** Whether the project may already refer to these blobs (an upload into it completed, or a version uses it). */
export async function presentBlobs(db: Database, projectId: number, digests: string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const rows = await db
    .select({ digest: projectBlobs.digest })
    .from(projectBlobs)
    .where(and(eq(projectBlobs.projectId, projectId), inArray(projectBlobs.digest, digests)));
  return new Set(rows.map((r) => r.digest));
}

/** The digests a project lacks, in the order asked, so a client uploads only those. Maintainers and up. */
export async function findMissingBlobs(
  db: Database,
  input: { user: Actor; project: string; digests: string[] },
): Promise<{ missing: string[] }> {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  const unique = [...new Set(input.digests)];
  const present = await presentBlobs(db, project.id, unique);
  return { missing: unique.filter((d) => !present.has(d)) };
}

/** Starts an upload, or says the project has the blob already. Maintainers and up. */
export async function createUpload(
  db: Database,
  store: BlobStore,
  input: { user: Actor; project: string; digest: string; size: number },
): Promise<CreateUploadResponse> {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  if ((await presentBlobs(db, project.id, [input.digest])).has(input.digest)) {
    const [blob] = await db.select().from(blobs).where(eq(blobs.digest, input.digest));
    if (blob && blob.size !== input.size) {
      throw invalidInput(
        `Blob ${input.digest} has ${blob.size} bytes, not ${input.size}`,
        "check the size you declared",
      );
    }
    return { status: "exists", digest: input.digest, size: blob?.size ?? input.size };
  }
  const id = randomBytes(24).toString("base64url");
  await store.createUpload(id);
  const [row] = await db
    .insert(blobUploads)
    .values({
      id,
      projectId: project.id,
      createdBy: Number(input.user!.id),
      digest: input.digest,
      size: input.size,
    })
    .returning();
  return toState(row!);
}

/** An upload of this project that the caller started (or any, for an admin); `not_found` otherwise. */
async function findUpload(db: Database, input: { user: Actor; project: string; uploadId: string }) {
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

/** Where an upload stands: the next chunk starts at `offset`. */
export async function getUpload(
  db: Database,
  input: { user: Actor; project: string; uploadId: string },
): Promise<UploadState> {
  return toState(await findUpload(db, input));
}

function outOfOrder(offset: number, start: number): HttpAppError {
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
function quickly<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL synchronous_commit = off`);
    return work(tx);
  });
}

/** Takes the write lease when the upload is at `offset` and nobody else writes it. */
async function takeLease(db: Database, uploadId: string, offset: number, token: string): Promise<void> {
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

/** The request body failed (the client went away, or stalled past the deadline). */
export class BodyInterrupted extends Error {
  override readonly name = "BodyInterrupted";
}

/** Yields the source's pieces, failing when the whole takes longer than `ms` (a stalled client included). */
async function* withDeadline(source: AsyncIterable<Uint8Array>, ms: number): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  // One timer for the whole chunk, raced against each read.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyInterrupted("the chunk took too long")), ms);
  });
  timeout.catch(() => {});
  try {
    while (true) {
      const next = await Promise.race([
        iterator.next().catch((error: unknown) => {
          throw new BodyInterrupted(`the request body failed: ${(error as Error).message}`);
        }),
        timeout,
      ]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    await iterator.return?.().catch(() => {});
  }
}

/**
 * Appends one chunk. It must start at the upload's offset (else 416 with the offset), fit in `MAX_CHUNK_BYTES`
 * (else 413) and end within the declared size (else 400). The body may be cut short by the client going away:
 * what arrived is kept and counted.
 */
export async function appendUploadChunk(
  db: Database,
  store: BlobStore,
  input: {
    user: Actor;
    project: string;
    uploadId: string;
    range: ContentRange;
    /** The request's Content-Length, when it sent one. */
    contentLength?: number;
    body: AsyncIterable<Uint8Array>;
  },
): Promise<UploadState> {
  const row = await findUpload(db, input);
  const { start, end, total } = input.range;
  const length = end - start + 1;
  if (length > MAX_CHUNK_BYTES) {
    throw new HttpAppError(
      "invalid_input",
      `A chunk may have at most ${MAX_CHUNK_BYTES} bytes; this one has ${length}`,
      413,
      { [UPLOAD_OFFSET_HEADER]: String(row.offset) },
      "send smaller chunks",
    );
  }
  if (total !== undefined && total !== row.size) {
    throw invalidInput(`Content-Range gives a total of ${total} bytes, but the upload declared ${row.size}`);
  }
  if (end >= row.size) {
    throw invalidInput(`The chunk ends at byte ${end}, past the declared size of ${row.size} bytes`);
  }
  if (input.contentLength !== undefined && input.contentLength !== length) {
    throw invalidInput(`Content-Length is ${input.contentLength}, but Content-Range spans ${length} bytes`);
  }
  if (start !== row.offset) throw outOfOrder(row.offset, start);

  const token = randomBytes(12).toString("hex");
  await takeLease(db, row.id, start, token);
  const cached = cacheHash(row.id, start);
  let stored = 0;
  let failure: unknown;
  try {
    await store.writeUpload(row.id, start, withDeadline(input.body, writeDeadlineMs), {
      maxBytes: length,
      onWritten(piece) {
        stored += piece.byteLength;
        cached?.hash.update(piece);
      },
    });
  } catch (error) {
    failure = error;
    if (error instanceof ChunkOverflow) stored = 0;
  }
  const [released] = await quickly(db, (tx) =>
    tx
      .update(blobUploads)
      .set({ offset: start + stored, writer: null, writerSince: null, updatedAt: sql`now()` })
      .where(and(eq(blobUploads.id, row.id), eq(blobUploads.writer, token)))
      .returning(),
  );
  if (cached && released && !(failure instanceof ChunkOverflow)) cached.offset = start + stored;
  else hashes.delete(row.id);
  if (!released)
    throw conflict("The upload was taken over by another request", "ask for the offset and go on");
  if (failure instanceof ChunkOverflow) {
    throw invalidInput(`The chunk's body is longer than the ${length} bytes its Content-Range gives`);
  }
  if (failure) throw failure;
  if (stored < length) {
    throw new HttpAppError(
      "invalid_input",
      `The chunk ended after ${stored} of ${length} bytes`,
      400,
      { [UPLOAD_OFFSET_HEADER]: String(start + stored) },
      `the bytes that arrived were kept; continue at byte ${start + stored}`,
    );
  }
  return toState(released);
}

/**
 * Verifies a complete upload and makes it a blob of the project. A digest that doesn't match discards the upload,
 * so nothing wrong is ever stored under a digest.
 */
export async function finishUpload(
  db: Database,
  store: BlobStore,
  input: { user: Actor; project: string; uploadId: string },
): Promise<FinishedUpload> {
  const row = await findUpload(db, input);
  if (row.offset !== row.size) {
    throw invalidInput(
      `The upload has ${row.offset} of ${row.size} bytes`,
      `send the rest, starting at byte ${row.offset}, then finish`,
    );
  }
  const token = `finish-${randomBytes(12).toString("hex")}`;
  await takeLease(db, row.id, row.offset, token);
  const cached = hashes.get(row.id);
  hashes.delete(row.id);
  let hex: string;
  try {
    hex = cached?.offset === row.size ? cached.hash.digest("hex") : await store.hashUpload(row.id, row.size);
  } catch (error) {
    await db
      .update(blobUploads)
      .set({ writer: null, writerSince: null })
      .where(eq(blobUploads.writer, token));
    throw error;
  }
  if (`sha256:${hex}` !== row.digest) {
    await db.delete(blobUploads).where(eq(blobUploads.id, row.id));
    await store.deleteUpload(row.id);
    throw invalidInput(
      `The uploaded bytes have digest sha256:${hex}, not the declared ${row.digest}; the upload was discarded`,
      "start the upload again",
    );
  }
  await db.transaction(async (tx) => {
    // Serialises with garbage collection of the same digest, so a blob it deletes can't be re-committed between
    // its row and its file going away.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${row.digest}))`);
    await store.commitUpload(row.id, row.digest, row.size);
    await tx.insert(blobs).values({ digest: row.digest, size: row.size }).onConflictDoNothing();
    await tx
      .insert(projectBlobs)
      .values({ projectId: row.projectId, digest: row.digest })
      .onConflictDoNothing();
    await tx.delete(blobUploads).where(eq(blobUploads.id, row.id));
  });
  return { digest: row.digest, size: row.size };
}

/** Cancels an upload and drops its bytes. */
export async function cancelUpload(
  db: Database,
  store: BlobStore,
  input: { user: Actor; project: string; uploadId: string },
): Promise<{ ok: true }> {
  const row = await findUpload(db, input);
  await db.delete(blobUploads).where(eq(blobUploads.id, row.id));
  hashes.delete(row.id);
  await store.deleteUpload(row.id);
  return { ok: true };
}
