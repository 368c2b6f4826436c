import type { Readable } from "node:stream";

/**
 * Where blob bytes live. The server's services talk only to this interface: the directory store implements it on
 * a local disk, and an S3-compatible store can implement it with objects and multipart uploads.
 *
 * Blobs are immutable and addressed by digest (`sha256:<hex>`). Uploads are staged in an upload area under an
 * upload id and become a blob only through `commitUpload`, after the caller verified their digest, so nothing
 * half-written is ever visible under a digest.
 */
export interface BlobStore {
  has(digest: string): Promise<boolean>;
  stat(digest: string): Promise<{ size: number } | undefined>;
  /** The blob's bytes, or the inclusive byte range `start..end` of them. */
  read(digest: string, range?: { start: number; end: number }): Promise<Readable>;
  delete(digest: string): Promise<void>;
  /** Every stored blob, for garbage collection. */
  list(): AsyncIterable<{ digest: string; size: number; modifiedAt: Date }>;

  /** Starts an empty staged upload. */
  createUpload(uploadId: string): Promise<void>;
  /**
   * Writes `source` at `offset`, dropping any bytes the upload had past `offset` (left by a writer that died).
   * Writes each piece before pulling the next, so when `source` fails (the client went away) every piece it gave
   * is stored, and `onWritten` has been told of it. More than `maxBytes` from `source` rolls the chunk back and
   * throws `ChunkOverflow`. Returns the bytes written.
   */
  writeUpload(
    uploadId: string,
    offset: number,
    source: AsyncIterable<Uint8Array>,
    options: { maxBytes: number; onWritten?: (piece: Uint8Array) => void },
  ): Promise<number>;
  /** The sha256 (hex) of the upload's first `size` bytes, read back from storage. */
  hashUpload(uploadId: string, size: number): Promise<string>;
  /** Makes the upload's first `size` bytes the blob `digest` (atomically), then forgets the upload. */
  commitUpload(uploadId: string, digest: string, size: number): Promise<void>;
  deleteUpload(uploadId: string): Promise<void>;
  /** Staged uploads, for cleaning up after crashes. */
  listUploads(): AsyncIterable<{ uploadId: string; modifiedAt: Date }>;
}

/** The source gave more bytes than a chunk may have; nothing of the chunk was kept. */
export class ChunkOverflow extends Error {
  override readonly name = "ChunkOverflow";
}

/** Reads a whole stream into memory, for small blobs and tests. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}
