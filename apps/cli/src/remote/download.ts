import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, mkdir, open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import type { Server } from "./open";
import type { BlobTransferOptions } from "./upload";

/**
 * Downloads a blob into `stateDir/<hex>.part` and returns that path once its digest checks out. An interrupted
 * download keeps its part file; the next run sends a `Range` request for the rest.
 */
export async function downloadBlob(
  server: Server,
  project: string,
  blob: { digest: string; size: number },
  options: BlobTransferOptions,
): Promise<string> {
  await mkdir(options.stateDir, { recursive: true });
  const part = join(options.stateDir, `download-${blob.digest.replace(/^sha256:/, "")}.part`);
  let have = await stat(part).then(
    (s) => s.size,
    () => 0,
  );
  if (have > blob.size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have > 0) options.progress.log(`resuming the download at byte ${have} of ${blob.size}`, "engine");
  options.progress.phase("download", blob.size);
  options.progress.update(have, blob.size);
  const hash = createHash("sha256");
  if (have > 0) {
    for await (const piece of createReadStream(part, { highWaterMark: 1 << 20 }))
      hash.update(piece as Buffer);
  }
  const file = await open(part, have > 0 ? "r+" : "w");
  try {
    if (have < blob.size) {
      const response = await server.blobs.download(project, blob.digest, have, options.signal);
      if (have > 0 && response.statusCode !== 206) {
        // The server sent the whole blob after all: start over.
        response.resume();
        await file.close();
        await rm(part, { force: true });
        return downloadBlob(server, project, blob, options);
      }
      await writeAll(file, response, have, (piece, done) => {
        hash.update(piece);
        options.progress.update(done, blob.size);
      });
    }
  } finally {
    await file.close().catch(() => {});
  }
  const digest = `sha256:${hash.digest("hex")}`;
  if (digest !== blob.digest) {
    await rm(part, { force: true });
    throw new AppError(
      "internal",
      `the downloaded bytes have digest ${digest}, not ${blob.digest}; nothing was kept`,
      "run the copy again",
    );
  }
  return part;
}

/**
 * Writes what `source` yields to `file` from byte `at`. The pieces (16-64 KiB off a socket) go out in 1 MiB writev
 * calls, one running while the next MiB arrives, so the disk and the network overlap and the per-write costs of
 * a stream pipeline vanish. `onPiece` sees each piece as it arrives, with the offset after it.
 */
async function writeAll(
  file: FileHandle,
  source: AsyncIterable<Uint8Array>,
  at: number,
  onPiece: (piece: Uint8Array, done: number) => void,
): Promise<void> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let received = at;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    await writing;
    const [pieces, position] = [pending, received - pendingBytes];
    writing = writeFully(file, pieces, position);
    pending = [];
    pendingBytes = 0;
  };
  try {
    for await (const piece of source) {
      received += piece.byteLength;
      onPiece(piece, received);
      pending.push(piece);
      pendingBytes += piece.byteLength;
      if (pendingBytes >= 1 << 20) await flush();
    }
    if (pendingBytes > 0) await flush();
  } finally {
    await writing;
  }
}

async function writeFully(file: FileHandle, pieces: Uint8Array[], position: number): Promise<void> {
  const size = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  let done = (await file.writev(pieces, position)).bytesWritten;
  if (done === size) return;
  const rest = Buffer.concat(pieces, size);
  while (done < size) done += (await file.write(rest, done, size - done, position + done)).bytesWritten;
}
