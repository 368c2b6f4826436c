import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@swhub/db/client";
import { blobs, projectBlobs } from "@swhub/db/schema";
import { sql } from "drizzle-orm";
import type { BlobStore } from "../blobs/store";

/**
 * Makes a staged upload's first `size` bytes the blob `digest` (already verified by the caller) and lets the project
 * refer to it. Serialised with garbage collection of the same digest, so a blob it deletes can't be re-committed
 * between its row and its file going away. `inTransaction` runs inside the same transaction (e.g. dropping the
 * upload's row).
 */
export async function commitStagedBlob(
  db: Database,
  store: BlobStore,
  input: {
    uploadId: string;
    digest: string;
    size: number;
    projectId: number;
    inTransaction?: (tx: Database) => Promise<unknown>;
  },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${input.digest}))`);
    await store.commitUpload(input.uploadId, input.digest, input.size);
    await tx.insert(blobs).values({ digest: input.digest, size: input.size }).onConflictDoNothing();
    await tx
      .insert(projectBlobs)
      .values({ projectId: input.projectId, digest: input.digest })
      .onConflictDoNothing();
    await input.inTransaction?.(tx);
  });
}

/**
 * Streams bytes of unknown digest and size into the store as a blob of a project, hashing them on the way, and
 * returns the digest and size. Nothing is held in memory beyond the store's write buffer. If the source fails,
 * the staged bytes are dropped and nothing becomes visible. Callers check access first.
 */
export async function ingestBlob(
  db: Database,
  store: BlobStore,
  input: { projectId: number; source: AsyncIterable<Uint8Array>; maxBytes?: number },
): Promise<{ digest: string; size: number }> {
  const uploadId = `ingest-${randomBytes(18).toString("base64url")}`;
  const hash = createHash("sha256");
  await store.createUpload(uploadId);
  try {
    const size = await store.writeUpload(uploadId, 0, input.source, {
      maxBytes: input.maxBytes ?? Number.MAX_SAFE_INTEGER,
      onWritten: (piece) => hash.update(piece),
    });
    const digest = `sha256:${hash.digest("hex")}`;
    await commitStagedBlob(db, store, { uploadId, digest, size, projectId: input.projectId });
    return { digest, size };
  } catch (error) {
    await store.deleteUpload(uploadId).catch(() => {});
    throw error;
  }
}
