import { createReadStream } from "node:fs";
import type { Pack } from "tar-stream";

type Headers = Parameters<Pack["entry"]>[0];

/** Adds a directory, symlink or small file (content in memory) to a tar-stream pack. */
export function addTarEntry(tar: Pack, header: Headers, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (content) tar.entry(header, content, done);
    else tar.entry(header, done);
  });
}

/** Streams a file into a pack entry with backpressure; `header.size` must be the file's size. */
export async function streamTarEntry(tar: Pack, header: Headers, path: string): Promise<void> {
  const entry = tar.entry(header);
  const finished = new Promise<void>((resolve, reject) => {
    entry.once("error", reject);
    entry.once("finish", () => resolve());
  });
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    if (!entry.write(chunk as Buffer)) await new Promise<void>((r) => entry.once("drain", () => r()));
  }
  entry.end(undefined);
  await finished;
}
