import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "@swhub/shared/errors";

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(":") + 1);
}

/**
 * Passes bytes through and fails the stream at its end if they do not match the expected digest and size,
 * so a consumer that writes to a temporary file never renames a corrupt blob into place.
 */
export function verifyDigestStream(expected: { digest: string; size?: number }, what: string): Transform {
  const hash = createHash("sha256");
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = `sha256:${hash.digest("hex")}`;
      if (actual !== expected.digest) {
        callback(
          new AppError("internal", `${what}: digest mismatch (expected ${expected.digest}, got ${actual})`),
        );
      } else if (expected.size !== undefined && size !== expected.size) {
        callback(
          new AppError("internal", `${what}: size mismatch (expected ${expected.size} bytes, got ${size})`),
        );
      } else {
        callback();
      }
    },
  });
}
