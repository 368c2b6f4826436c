import { randomBytes } from "node:crypto";
import type { Database } from "@swhub/db/client";
import { blobUploads } from "@swhub/db/schema";
import {
  type ContentRange,
  MAX_CHUNK_BYTES,
  UPLOAD_OFFSET_HEADER,
  type UploadState,
} from "@swhub/shared/blob-protocol";
import { conflict, invalidInput } from "@swhub/shared/errors";
import { and, eq, sql } from "drizzle-orm";
import { type BlobStore, ChunkOverflow } from "../blobs/store";
import { HttpAppError } from "../errors";
import type { Actor } from "./access";
import {
  cacheHash,
  findUpload,
  hashes,
  outOfOrder,
  quickly,
  takeLease,
  toState,
  writeDeadlineMs,
} from "./upload-state";

/** The request body failed (the client went away, or stalled past the deadline). */
export class BodyInterrupted extends Error {
  override readonly name = "BodyInterrupted";
}

/**
 * Yields the source's pieces, failing when the whole takes longer than `ms` (a stalled client included). Each read
 * gets a promise of its own: racing every read against one long-lived timeout promise would keep every piece of
 * the chunk reachable from that promise until the chunk ends, and the garbage collector paid for it.
 */
async function* withDeadline(source: AsyncIterable<Uint8Array>, ms: number): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let expired = false;
  let failRead: ((error: Error) => void) | undefined;
  const late = () => new BodyInterrupted("the chunk took too long");
  const timer = setTimeout(() => {
    expired = true;
    failRead?.(late());
  }, ms);
  try {
    while (true) {
      const next = await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
        if (expired) return reject(late());
        failRead = reject;
        iterator.next().then(resolve, (error: unknown) => {
          reject(new BodyInterrupted(`the request body failed: ${(error as Error).message}`));
        });
      });
      failRead = undefined;
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
