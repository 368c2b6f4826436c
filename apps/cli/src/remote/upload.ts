import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Store, tmpDir } from "@swhub/runtime/store/index";
import { MAX_CHUNK_BYTES } from "@swhub/shared/blob-protocol";
import { isAppError } from "@swhub/shared/errors";
import type { ProgressSink } from "@swhub/shared/progress";
import type { Server } from "./open";

export interface BlobTransferOptions {
  progress: ProgressSink;
  signal?: AbortSignal;
  /** Where unfinished transfers keep their state (the store's scratch directory), so a rerun resumes. */
  stateDir: string;
}

/** Where transfers keep their state: unfinished uploads and downloads, and the remembered bundle digests. */
export const transferStateDir = (store: Store) => join(tmpDir(store), "transfers");

/** `sha256:<hex>` of a file, reported as the `hash` phase. */
export async function hashFile(path: string, size: number, options: BlobTransferOptions): Promise<string> {
  const hash = createHash("sha256");
  options.progress.phase("hash", size);
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20, signal: options.signal })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    options.progress.update(done, size);
  }
  return `sha256:${hash.digest("hex")}`;
}

/**
 * Bundles never change once written, so their digests are remembered (by path, size, mtime and inode) in
 * `stateDir`: copying a bundle again, or uploading one that was downloaded, reads it once less.
 */
const digestCacheFile = async (path: string, stateDir: string) => {
  const s = await stat(path);
  const key = createHash("sha256")
    .update(`${path}\n${s.size}\n${s.mtimeMs}\n${s.ino}`)
    .digest("hex")
    .slice(0, 32);
  return { file: join(stateDir, `digest-${key}`), size: s.size };
};

export async function rememberDigest(path: string, digest: string, stateDir: string): Promise<void> {
  const { file } = await digestCacheFile(path, stateDir);
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, digest);
}

/** The digest remembered for a bundle, if any. */
async function rememberedDigest(path: string, stateDir: string): Promise<{ digest?: string; size: number }> {
  const { file, size } = await digestCacheFile(path, stateDir);
  const known = await readFile(file, "utf8").catch(() => "");
  return /^sha256:[0-9a-f]{64}$/.test(known) ? { digest: known, size } : { size };
}

async function digestOf(
  path: string,
  options: BlobTransferOptions,
): Promise<{ digest: string; size: number }> {
  const remembered = await rememberedDigest(path, options.stateDir);
  if (remembered.digest) return { digest: remembered.digest, size: remembered.size };
  // Refused before any hashing when the caller may not write there (with a known digest, the first
  // "missing" question below checks the same).
  const digest = await hashFile(path, remembered.size, options);
  await rememberDigest(path, digest, options.stateDir).catch(() => undefined);
  return { digest, size: remembered.size };
}

/**
 * Puts a file into a project's blobs, sending only what the server lacks:
 * - nothing at all when the project has the blob (a second copy of a version transfers no blob bytes);
 * - after an interruption, only the bytes past the server's offset: the upload's id is kept in `stateDir`;
 * - alongside another swcli sending the same blob: chunks are accepted only at the server's offset, so whichever
 *   request is behind learns the offset and goes on from there, and once one finishes the other sees the blob.
 * Returns the digest.
 */
export async function uploadFile(
  server: Server,
  project: string,
  path: string,
  options: BlobTransferOptions,
): Promise<{ digest: string; size: number; sent: number }> {
  // Refused before any hashing when the caller may not write there; with a remembered digest, starting the
  // upload below checks the same, one round trip less.
  if (!(await rememberedDigest(path, options.stateDir)).digest) await server.blobs.missing(project, []);
  const { digest, size } = await digestOf(path, options);
  const stateFile = join(
    options.stateDir,
    `upload-${createHash("sha256").update(`${server.url}\n${project}\n${digest}`).digest("hex").slice(0, 32)}.json`,
  );
  let sent = 0;
  for (let attempt = 0; ; attempt++) {
    // Starting an upload answers "exists" when the project has the blob: no separate question first.
    const upload = await startOrResume(server, project, { digest, size, stateFile });
    if (upload === undefined) break;
    const { uploadId } = upload;
    try {
      sent += await sendFrom(server, project, { uploadId, size, path, offset: upload.offset }, options);
      await server.blobs.finish(project, uploadId);
      break;
    } catch (error) {
      // The upload vanished (another swcli finished it, or it was collected), or another swcli is finishing it
      // right now: start again, which finds the blob if the other one finished.
      if (!isAppError(error) || !["not_found", "conflict"].includes(error.code) || attempt >= 20) throw error;
      if (error.code === "not_found") await rm(stateFile, { force: true });
      await sleep(250, undefined, { signal: options.signal });
    }
  }
  await rm(stateFile, { force: true });
  return { digest, size, sent };
}

async function startOrResume(
  server: Server,
  project: string,
  blob: { digest: string; size: number; stateFile: string },
): Promise<{ uploadId: string; offset: number } | undefined> {
  const saved = await readFile(blob.stateFile, "utf8").then(
    (text) => (JSON.parse(text) as { uploadId?: string }).uploadId,
    () => undefined,
  );
  if (saved) {
    const state = await server.blobs.uploadState(project, saved).catch((error: unknown) => {
      if (isAppError(error) && error.code === "not_found") return undefined;
      throw error;
    });
    if (state && state.digest === blob.digest) return { uploadId: state.uploadId, offset: state.offset };
  }
  const created = await server.blobs.createUpload(project, blob.digest, blob.size);
  if (created.status === "exists") return undefined;
  await mkdir(join(blob.stateFile, ".."), { recursive: true });
  await writeFile(blob.stateFile, JSON.stringify({ uploadId: created.uploadId, digest: blob.digest }));
  return { uploadId: created.uploadId, offset: created.offset };
}

/**
 * Sends the file from the server's offset (`upload.offset`, as last heard) to the end, in chunks as big as the
 * server takes, each streamed from the disk; returns the bytes sent. Big chunks, because every request costs a
 * round trip and the server's bookkeeping; an interrupted chunk still keeps what arrived, so retries stay cheap.
 */
async function sendFrom(
  server: Server,
  project: string,
  upload: { uploadId: string; size: number; path: string; offset: number },
  options: BlobTransferOptions,
): Promise<number> {
  let offset = upload.offset;
  if (offset > 0) options.progress.log(`resuming the upload at byte ${offset} of ${upload.size}`, "engine");
  options.progress.phase("upload", upload.size);
  options.progress.update(offset, upload.size);
  let sent = 0;
  let busy = 0;
  while (offset < upload.size) {
    const length = Math.min(MAX_CHUNK_BYTES, upload.size - offset);
    let reading = offset;
    let answer: Awaited<ReturnType<typeof server.blobs.sendChunk>>;
    try {
      answer = await server.blobs.sendChunk(
        project,
        upload,
        {
          path: upload.path,
          start: offset,
          length,
          onRead: (bytes) => {
            reading += bytes;
            options.progress.update(reading, upload.size);
          },
        },
        options.signal,
      );
    } catch (error) {
      // Another request holds the upload (a concurrent swcli, or the one just killed, until the server notices).
      if (!isAppError(error) || error.code !== "conflict" || busy++ > 60) throw error;
      await sleep(500, undefined, { signal: options.signal });
      offset = (await server.blobs.uploadState(project, upload.uploadId)).offset;
      continue;
    }
    if (!("mismatch" in answer)) sent += answer.offset - offset;
    offset = answer.offset;
    options.progress.update(offset, upload.size);
  }
  return sent;
}
