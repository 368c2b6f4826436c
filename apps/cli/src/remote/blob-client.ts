import type { IncomingMessage } from "node:http";
import {
  blobErrorBodySchema,
  blobPaths,
  type CreateUploadResponse,
  createUploadResponseSchema,
  type FinishedUpload,
  finishedUploadSchema,
  formatContentRange,
  MAX_DIGESTS_PER_REQUEST,
  missingBlobsResponseSchema,
  UPLOAD_OFFSET_HEADER,
  type UploadState,
  uploadStateSchema,
} from "@swhub/shared/blob-protocol";
import { AppError } from "@swhub/shared/errors";
import type { z } from "zod";
import { isAppErrorCode } from "./errors";
import {
  FileChanged,
  type FileRange,
  httpFetch,
  type JsonResponse,
  type RawRequest,
  rawRequest,
  readAnswer,
} from "./raw-http";
import type { ServerConnection } from "./server";

/**
 * The blob routes of `@swhub/shared/blob-protocol`, typed by its schemas: ask which blobs a project lacks, upload
 * in chunks, finish, download with a range. Every answer is checked against the protocol's schema.
 */
export interface BlobClient {
  missing(project: string, digests: string[]): Promise<string[]>;
  createUpload(project: string, digest: string, size: number): Promise<CreateUploadResponse>;
  uploadState(project: string, uploadId: string): Promise<UploadState>;
  /**
   * Sends a byte range of a file, streamed from the disk. A chunk that does not start at the server's offset answers
   * with the offset to continue at (`{ offset }`, 416 on the wire) instead of failing.
   */
  sendChunk(
    project: string,
    upload: { uploadId: string; size: number },
    chunk: FileRange,
    signal?: AbortSignal,
  ): Promise<UploadState | { mismatch: true; offset: number }>;
  finish(project: string, uploadId: string): Promise<FinishedUpload>;
  /** The blob's bytes from `start` on (a `Range` request when `start > 0`). */
  download(project: string, digest: string, start: number, signal?: AbortSignal): Promise<IncomingMessage>;
}

export function blobClient(server: ServerConnection): BlobClient {
  const request = async (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<JsonResponse> => {
    try {
      return await httpFetch(`${server.url}${path}`, {
        ...init,
        headers: { ...server.authHeaders(), ...init.headers },
      });
    } catch (error) {
      return server.fail(error);
    }
  };
  const raw = async (path: string, init: RawRequest): Promise<IncomingMessage> => {
    try {
      return await rawRequest(`${server.url}${path}`, {
        ...init,
        headers: { ...server.authHeaders(), ...init.headers },
      });
    } catch (error) {
      if (error instanceof FileChanged) {
        throw new AppError("invalid_input", error.message, "copy it again once nothing writes to it");
      }
      return server.fail(error);
    }
  };
  const expect = async <S extends z.ZodType>(response: JsonResponse, schema: S): Promise<z.output<S>> => {
    if (!response.ok) throw await errorOf(response, server);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new AppError("internal", `${server.url} answered a blob request unexpectedly`);
    return parsed.data;
  };
  const postJson = (path: string, body: unknown) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  return {
    async missing(project, digests) {
      const missing: string[] = [];
      // At least one request, so an empty list still checks that the caller may write to the project.
      for (let i = 0; i === 0 || i < digests.length; i += MAX_DIGESTS_PER_REQUEST) {
        const batch = digests.slice(i, i + MAX_DIGESTS_PER_REQUEST);
        const answer = await expect(
          await postJson(blobPaths.missing(project), { digests: batch }),
          missingBlobsResponseSchema,
        );
        missing.push(...answer.missing);
      }
      return missing;
    },
    async createUpload(project, digest, size) {
      return expect(await postJson(blobPaths.uploads(project), { digest, size }), createUploadResponseSchema);
    },
    async uploadState(project, uploadId) {
      return expect(await request(blobPaths.upload(project, uploadId)), uploadStateSchema);
    },
    async sendChunk(project, upload, chunk, signal) {
      const response = await raw(blobPaths.upload(project, upload.uploadId), {
        method: "PATCH",
        headers: {
          "content-type": "application/octet-stream",
          "content-range": formatContentRange({
            start: chunk.start,
            end: chunk.start + chunk.length - 1,
            total: upload.size,
          }),
        },
        body: chunk,
        signal,
      });
      const answer = await readAnswer(response);
      if (answer.status === 416) {
        const offset = Number(answer.header(UPLOAD_OFFSET_HEADER));
        if (Number.isSafeInteger(offset)) return { mismatch: true, offset };
      }
      return expect(answer, uploadStateSchema);
    },
    async finish(project, uploadId) {
      return expect(
        await request(blobPaths.finish(project, uploadId), { method: "POST" }),
        finishedUploadSchema,
      );
    },
    async download(project, digest, start, signal) {
      const response = await raw(blobPaths.blob(project, digest), {
        method: "GET",
        headers: start > 0 ? { range: `bytes=${start}-` } : {},
        signal,
      });
      if ((response.statusCode ?? 500) >= 400) throw await errorOf(await readAnswer(response), server);
      return response;
    },
  };
}

/** The protocol's error body as an AppError; a server that is not swhub gets a plain description. */
async function errorOf(response: JsonResponse, server: ServerConnection): Promise<AppError> {
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = blobErrorBodySchema.safeParse(body);
  if (!parsed.success) {
    return new AppError("internal", `${server.url} answered HTTP ${response.status} to a blob request`);
  }
  const { code, message, hint } = parsed.data.error;
  if (code === "unauthenticated" && server.authHeaders().authorization) {
    return new AppError(
      "unauthenticated",
      `${server.alias}: ${message}`,
      `log in again: swcli instance login ${server.url} --alias ${server.alias}`,
    );
  }
  return new AppError(isAppErrorCode(code) ? code : "internal", message, hint);
}
