import type { Readable } from "node:stream";
import { AppError, isAppError } from "@swhub/shared/errors";
import { repositoryScope } from "./auth";
import { registryError } from "./registry-errors";
import type { RegistryResponse, Transport } from "./transport";

/** Bytes to upload: a digest, a size, and a way to read any slice of them again (for retries). */
export interface BlobSource {
  digest: string;
  size: number;
  /** Reads bytes [start, end). */
  open(start: number, end: number): Readable;
}

export interface UploadOptions {
  /** Blobs up to this size go in one PUT. Default 64 MiB. */
  monolithicLimit?: number;
  /** Chunk size of chunked uploads. Default 32 MiB. */
  chunkSize?: number;
  /** How many failed requests one blob may take before giving up. Default 4. */
  maxRetries?: number;
  /** Called with the bytes acknowledged so far. */
  onProgress?: (bytes: number) => void;
}

const MiB = 1024 * 1024;

/**
 * Uploads one blob. Small blobs: POST, then PUT with the bytes. Big ones: POST, then PATCH chunks with
 * `Content-Range`, then PUT. A failed chunk is retried from the offset the registry reports for the
 * session; when the registry has dropped the session (Distribution does if a chunk arrived half-way),
 * the upload starts over in a new session.
 */
export async function uploadBlob(
  transport: Transport,
  repository: string,
  blob: BlobSource,
  options: UploadOptions = {},
): Promise<void> {
  const monolithicLimit = options.monolithicLimit ?? 64 * MiB;
  const chunkSize = Math.max(options.chunkSize ?? 32 * MiB, 1);
  let retriesLeft = options.maxRetries ?? 4;
  const scopes = [repositoryScope(repository, ["pull", "push"])];
  const ctx = { registry: transport.registry, repository, what: `upload of blob ${blob.digest}` };

  const check = async (res: RegistryResponse, ok: number[]) => {
    if (!ok.includes(res.status)) throw await registryError(res, ctx);
    await res.body.dump();
    return res;
  };
  const nextLocation = (res: RegistryResponse) => {
    const location = res.headers.location;
    if (typeof location !== "string")
      throw new AppError("internal", `${transport.registry} gave no upload location`);
    // The Location may be relative: resolve it against the URL that answered.
    return new URL(location, res.url).toString();
  };
  const withDigest = (location: string) => {
    const url = new URL(location);
    url.searchParams.set("digest", blob.digest);
    return url.toString();
  };
  const retryable = (error: unknown) =>
    retriesLeft-- > 0 &&
    (!isAppError(error) || (error.code === "internal" && !/rejected|does not support/.test(error.message)));

  const startSession = async () =>
    nextLocation(
      await check(
        await transport.send({ method: "POST", url: `/v2/${repository}/blobs/uploads/`, scopes }),
        [202],
      ),
    );

  session: for (;;) {
    let location = await startSession();
    try {
      if (blob.size <= monolithicLimit) {
        await check(
          await transport.send({
            method: "PUT",
            url: withDigest(location),
            scopes,
            headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
            body: () => blob.open(0, blob.size),
          }),
          [201],
        );
        options.onProgress?.(blob.size);
        return;
      }
      let offset = 0;
      while (offset < blob.size) {
        const end = Math.min(offset + chunkSize, blob.size);
        try {
          const res = await check(
            await transport.send({
              method: "PATCH",
              url: location,
              scopes,
              headers: {
                "content-type": "application/octet-stream",
                "content-length": String(end - offset),
                "content-range": `${offset}-${end - 1}`,
              },
              body: () => blob.open(offset, end),
            }),
            [202],
          );
          location = nextLocation(res);
          offset = end;
          options.onProgress?.(offset);
        } catch (error) {
          if (!retryable(error)) throw error;
          // Ask where the session stands; if it is gone, the outer loop starts a new one.
          const status = await transport.send({ method: "GET", url: location, scopes });
          await status.body.dump();
          if (status.status !== 204) continue session;
          location = nextLocation(status);
          offset = parseRangeEnd(status.headers.range) + 1;
        }
      }
      await check(await transport.send({ method: "PUT", url: withDigest(location), scopes }), [201]);
      return;
    } catch (error) {
      if (!retryable(error)) throw error;
      // Leave no stale session behind; failures here do not matter.
      await transport
        .send({ method: "DELETE", url: location, scopes })
        .then((r) => r.body.dump())
        .catch(() => {});
    }
  }
}

/** `0-1023` or `bytes=0-1023` → 1023; an empty upload reports `0-0` with nothing stored, hence -1 guard. */
function parseRangeEnd(range: string | string[] | undefined): number {
  const text = Array.isArray(range) ? range[0] : range;
  const match = /(\d+)-(\d+)/.exec(text ?? "");
  if (!match) return -1;
  const end = Number(match[2]);
  return end === 0 ? -1 : end;
}
