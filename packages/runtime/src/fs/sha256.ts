import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export type Sha256Digest = `sha256:${string}`;

/** Stream a file through SHA-256 and return `sha256:<hex>` (the form blob digests take everywhere). */
export async function sha256File(path: string): Promise<Sha256Digest> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}
