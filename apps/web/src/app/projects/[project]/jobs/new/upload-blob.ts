import {
  blobErrorBodySchema,
  blobPaths,
  createUploadResponseSchema,
  DEFAULT_CHUNK_BYTES,
  formatContentRange,
  uploadStateSchema,
} from "@swhub/shared/blob-protocol";

const MAX_RETRIES = 3;

async function currentOffset(path: string): Promise<number> {
  const res = await fetch(path);
  if (!res.ok) throw await failure(res, "Resuming the upload");
  return uploadStateSchema.parse(await res.json()).offset;
}

async function failure(res: Response, what: string): Promise<Error> {
  const body = blobErrorBodySchema.safeParse(await res.json().catch(() => null));
  if (body.success) {
    const { message, hint } = body.data.error;
    return new Error(hint ? `${message}: ${hint}.` : message);
  }
  return new Error(`${what} failed (HTTP ${res.status})`);
}

/**
 * Uploads bytes to a project's blob store with the chunked protocol of @swhub/shared/blob-protocol: nothing is sent
 * when the project already has them; otherwise chunk by chunk from where the server's upload stands, then finish,
 * which has the server check the digest. A dropped connection resumes from the offset the server reports. `onProgress` gets the share sent, 0 to 1.
 */
export async function uploadBlob(
  project: string,
  bytes: Uint8Array,
  digest: string,
  onProgress: (share: number) => void,
): Promise<void> {
  const json = { "content-type": "application/json" };
  const created = await fetch(blobPaths.uploads(project), {
    method: "POST",
    headers: json,
    body: JSON.stringify({ digest, size: bytes.length }),
  });
  if (!created.ok) throw await failure(created, "Starting the upload");
  const start = createUploadResponseSchema.parse(await created.json());
  if (start.status === "exists") {
    onProgress(1);
    return;
  }
  const path = blobPaths.upload(project, start.uploadId);
  let offset = start.offset;
  let retries = 0;
  while (offset < bytes.length) {
    const end = Math.min(bytes.length, offset + DEFAULT_CHUNK_BYTES);
    let res: Response;
    try {
      res = await fetch(path, {
        method: "PATCH",
        headers: {
          "content-type": "application/octet-stream",
          "content-range": formatContentRange({ start: offset, end: end - 1, total: bytes.length }),
        },
        body: bytes.slice(offset, end),
      });
    } catch (error) {
      // The connection dropped: ask the server how much it kept and go on from there, a few times.
      if (++retries > MAX_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * retries));
      offset = await currentOffset(path);
      continue;
    }
    if (!res.ok) throw await failure(res, "Uploading the build context");
    offset = uploadStateSchema.parse(await res.json()).offset;
    onProgress(offset / bytes.length);
  }
  const finished = await fetch(blobPaths.finish(project, start.uploadId), { method: "POST" });
  if (!finished.ok) throw await failure(finished, "Finishing the upload");
}
