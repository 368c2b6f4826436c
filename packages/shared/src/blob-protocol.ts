import { z } from "zod";

/**
 * The blob transfer protocol between swcli (or any client) and a server: one definition for both ends.
 *
 * Blobs are addressed by `sha256:<hex>`. A client asks which digests a project lacks, uploads each missing one in
 * chunks (resumable: after an interruption it asks for the offset and continues there), finishes the upload (the
 * server verifies digest and size), and only then commits a version that refers to it. Downloads take `Range`.
 *
 * Every route is authenticated by the `sw_session` cookie or `Authorization: Bearer <api token>`. Errors answer
 * with a JSON `BlobErrorBody` and the status named below.
 *
 * | method | path | body → answer |
 * | --- | --- | --- |
 * | POST | `/api/projects/{p}/blobs/missing` | `MissingBlobsRequest` → `MissingBlobsResponse` (maintainer+) |
 * | GET, HEAD | `/api/projects/{p}/blobs/{digest}` | bytes; `Range` → 206 with `Content-Range`, 416 when unsatisfiable (guest+) |
 * | POST | `/api/projects/{p}/uploads` | `CreateUploadRequest` → 201 `UploadState`, or 200 `{status:"exists"}` (maintainer+) |
 * | GET, HEAD | `/api/projects/{p}/uploads/{id}` | → `UploadState`, offset also in `Upload-Offset` |
 * | PATCH | `/api/projects/{p}/uploads/{id}` | chunk bytes with `Content-Range: bytes a-b/size` → `UploadState` |
 * | POST | `/api/projects/{p}/uploads/{id}/finish` | → `FinishedUpload` |
 * | DELETE | `/api/projects/{p}/uploads/{id}` | → 204 |
 *
 * `{p}` is a project name or its numeric id. A chunk must start at the upload's current offset: otherwise the answer
 * is 416 with the current offset in `Upload-Offset`. A body over `MAX_CHUNK_BYTES` is refused with 413, a chunk that
 * ends past the declared size with 400. A chunk cut short (the connection dropped) keeps what arrived.
 */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/**
 * What clients that hold a chunk in memory (the console's browser upload) send per chunk: big enough that
 * per-request costs vanish, small enough to retry cheaply. Clients that stream from a file (swcli) send up to
 * `MAX_CHUNK_BYTES`: a chunk cut short keeps what arrived, so a retry costs no more.
 */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
/** Most digests one "missing" request may ask about. */
export const MAX_DIGESTS_PER_REQUEST = 1000;

export const UPLOAD_OFFSET_HEADER = "Upload-Offset";
export const CONTENT_RANGE_HEADER = "Content-Range";
export const RANGE_HEADER = "Range";

const digestPattern = /^sha256:[0-9a-f]{64}$/;
export const blobDigestSchema = z.string().regex(digestPattern, "expected sha256:<64 lowercase hex digits>");
export type BlobDigest = z.infer<typeof blobDigestSchema>;

export function isBlobDigest(value: string): boolean {
  return digestPattern.test(value);
}

const sizeSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const missingBlobsRequestSchema = z.object({
  digests: z.array(blobDigestSchema).max(MAX_DIGESTS_PER_REQUEST),
});
export type MissingBlobsRequest = z.infer<typeof missingBlobsRequestSchema>;

export const missingBlobsResponseSchema = z.object({ missing: z.array(blobDigestSchema) });
export type MissingBlobsResponse = z.infer<typeof missingBlobsResponseSchema>;

export const createUploadRequestSchema = z.object({ digest: blobDigestSchema, size: sizeSchema });
export type CreateUploadRequest = z.infer<typeof createUploadRequestSchema>;

export const uploadStateSchema = z.object({
  status: z.literal("uploading"),
  uploadId: z.string(),
  digest: blobDigestSchema,
  size: sizeSchema,
  /** Bytes received so far; the next chunk starts here. */
  offset: sizeSchema,
});
export type UploadState = z.infer<typeof uploadStateSchema>;

/** The project already has the blob: nothing to send. */
export const blobExistsSchema = z.object({
  status: z.literal("exists"),
  digest: blobDigestSchema,
  size: sizeSchema,
});
export type BlobExists = z.infer<typeof blobExistsSchema>;

export const createUploadResponseSchema = z.discriminatedUnion("status", [
  uploadStateSchema,
  blobExistsSchema,
]);
export type CreateUploadResponse = z.infer<typeof createUploadResponseSchema>;

export const finishedUploadSchema = z.object({ digest: blobDigestSchema, size: sizeSchema });
export type FinishedUpload = z.infer<typeof finishedUploadSchema>;

export const blobErrorBodySchema = z.object({
  error: z.object({
    /** An `AppErrorCode` from `@swhub/shared/errors`. */
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
  }),
});
export type BlobErrorBody = z.infer<typeof blobErrorBodySchema>;

const base = (project: string) => `/api/projects/${encodeURIComponent(project)}`;

/** The paths of the protocol, built the same way on both ends. */
export const blobPaths = {
  missing: (project: string) => `${base(project)}/blobs/missing`,
  blob: (project: string, digest: string) => `${base(project)}/blobs/${digest}`,
  uploads: (project: string) => `${base(project)}/uploads`,
  upload: (project: string, uploadId: string) => `${base(project)}/uploads/${encodeURIComponent(uploadId)}`,
  finish: (project: string, uploadId: string) =>
    `${base(project)}/uploads/${encodeURIComponent(uploadId)}/finish`,
};

/** A chunk's place: `bytes start-end/total` (end inclusive; total may be `*`). */
export interface ContentRange {
  start: number;
  /** Inclusive. */
  end: number;
  total?: number;
}

export function formatContentRange(range: ContentRange): string {
  return `bytes ${range.start}-${range.end}/${range.total ?? "*"}`;
}

/** Parses a `Content-Range` request header; returns a reason string for a malformed one. */
export function parseContentRange(header: string | null): ContentRange | string {
  if (header === null) return "a chunk needs a Content-Range header (bytes START-END/TOTAL)";
  const match = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/.exec(header.trim());
  if (!match) return `Content-Range "${header}" is malformed; expected bytes START-END/TOTAL`;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === "*" ? undefined : Number(match[3]);
  if (end < start) return `Content-Range "${header}" ends before it starts`;
  if (total !== undefined && end >= total) return `Content-Range "${header}" ends past its total`;
  return total === undefined ? { start, end } : { start, end, total };
}

/** The byte range a `Range` header asks of a blob of `size` bytes. */
export type RangeRequest =
  | { kind: "whole" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * Reads a single-range `Range` header (RFC 9110): `bytes=a-b`, `bytes=a-`, `bytes=-n`. A header that is not a
 * single byte range is ignored (the whole blob is sent), as the RFC allows.
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  if (!header) return { kind: "whole" };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return { kind: "whole" };
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end };
}
