import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
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
  const hash = createHash("sha256");
  let have = await stat(part).then(
    (s) => s.size,
    () => 0,
  );
  if (have > blob.size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have > 0) for await (const chunk of createReadStream(part)) hash.update(chunk as Buffer);

  if (have > 0) options.progress.log(`resuming the download at byte ${have} of ${blob.size}`, "engine");
  options.progress.phase("download", blob.size);
  options.progress.update(have, blob.size);
  if (have < blob.size) {
    const response = await server.blobs.download(project, blob.digest, have, options.signal);
    if (have > 0 && response.statusCode !== 206) {
      // The server sent the whole blob after all: start over.
      response.resume();
      await rm(part, { force: true });
      return downloadBlob(server, project, blob, options);
    }
    let done = have;
    const counted = new Transform({
      transform(piece: Buffer, _encoding, callback) {
        hash.update(piece);
        done += piece.length;
        options.progress.update(done, blob.size);
        callback(null, piece);
      },
    });
    await pipeline(
      response,
      counted,
      createWriteStream(part, { flags: have > 0 ? "a" : "w", highWaterMark: 4 << 20 }),
    );
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
