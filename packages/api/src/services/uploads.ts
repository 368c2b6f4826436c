import { randomBytes } from "node:crypto";
import type { Database } from "@swhub/db/client";
import { blobs, blobUploads, projectBlobs } from "@swhub/db/schema";
import type { CreateUploadResponse, FinishedUpload, UploadState } from "@swhub/shared/blob-protocol";
import { invalidInput } from "@swhub/shared/errors";
import { and, eq, inArray } from "drizzle-orm";
import type { BlobStore } from "../blobs/store";
import { type Actor, requireProjectRole } from "./access";
import { commitStagedBlob } from "./blob-ingest";
import { findUpload, hashes, takeLease, toState } from "./upload-state";

/**
 * Chunked, resumable uploads into a project (the protocol is in `@swhub/shared/blob-protocol`).
 *
 * The `blob_uploads` row is the authority on the offset. One request at a time writes an upload: it takes a lease
 * on the row, writes at the offset (dropping any bytes a dead writer left past it), then records how many bytes it
 * stored, even when the client went away halfway, so the next attempt continues there. Finishing hashes the bytes,
 * refuses a wrong digest (discarding the upload) and only then makes the blob visible, with a row in
 * `project_blobs` that lets this project (and only this one) refer to it.
 */

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

/** Where an upload stands: the next chunk starts at `offset`. */
export async function getUpload(
  db: Database,
  input: { user: Actor; project: string; uploadId: string },
): Promise<UploadState> {
  return toState(await findUpload(db, input));
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
  await commitStagedBlob(db, store, {
    uploadId: row.id,
    digest: row.digest,
    size: row.size,
    projectId: row.projectId,
    inTransaction: (tx) => tx.delete(blobUploads).where(eq(blobUploads.id, row.id)),
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
