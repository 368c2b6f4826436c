import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { AppError } from "@swhub/shared/errors";
import { Parser, type ReadEntry } from "tar";
import { isCode } from "../fs/atomic";

/**
 * Called once per entry, synchronously, in archive order. It must consume the entry (listen to "data" or call
 * `resume()`) before returning, so the parser never buffers. Return true to stop reading the archive once this
 * entry has been read to its end.
 */
export type EntryHandler = (entry: ReadEntry) => boolean | undefined;

export interface ParseTarFileOptions {
  /** Gunzip first (on a worker thread, overlapping with whatever the handler does). */
  gzip?: boolean;
  /** Called with the number of archive bytes read so far. */
  onRead?: (bytes: number) => void;
}

/**
 * Parse a tar file strictly with node-tar: a bad checksum, a truncated member, a missing end-of-archive marker,
 * an unsupported entry type or a gzip error is one AppError naming `path`; errors from the handler pass through.
 * Resolves "stopped" if the handler asked to stop, else "complete".
 */
export async function parseTarFile(
  path: string,
  onEntry: EntryHandler,
  options: ParseTarFileOptions = {},
): Promise<"complete" | "stopped"> {
  const parser = new Parser({ strict: true });
  let failure: unknown;
  let stopped = false;
  let sawEnd = false;
  parser.on("entry", (entry: ReadEntry) => {
    if (stopped || failure !== undefined) {
      entry.resume();
      return;
    }
    try {
      if (onEntry(entry) === true) {
        if (entry.emittedEnd) stopped = true;
        else
          entry.on("end", () => {
            stopped = true;
          });
      }
    } catch (error) {
      failure = error;
      entry.resume();
    }
  });
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    failure ??= corrupt(path, `member "${entry.path}" has an unsupported type (${entry.header.typeKey})`);
  });
  parser.on("error", (error: Error) => {
    failure ??= corrupt(path, error.message.replace(/^TAR_\w+: /, ""));
  });
  parser.on("eof", () => {
    sawEnd = true;
  });

  let read = 0;
  const source = createReadStream(path, { highWaterMark: 1 << 20 });
  source.on("data", (chunk) => {
    read += chunk.length;
    options.onRead?.(read);
  });
  try {
    const consume = async (input: AsyncIterable<Buffer>) => {
      for await (const chunk of input) {
        parser.write(chunk);
        if (failure !== undefined || stopped) return;
      }
    };
    if (options.gzip) await pipeline(source, createGunzip({ chunkSize: 1 << 18 }), consume);
    else await pipeline(source, consume);
  } catch (error) {
    // Returning early from the last stage aborts the stages before it; that is our doing, not an error.
    if (!(stopped || failure !== undefined) || !isCode(error, "ABORT_ERR")) {
      if (isCode(error, "ENOENT")) throw new AppError("not_found", `${path} does not exist`);
      if (isCode(error, "Z_DATA_ERROR", "Z_BUF_ERROR"))
        throw corrupt(path, `bad gzip data (${(error as Error).message})`);
      throw error;
    }
  }
  if (failure !== undefined) throw failure;
  if (stopped) return "stopped";
  parser.end();
  if (failure !== undefined) throw failure;
  if (!sawEnd) throw corrupt(path, "it ends before the end-of-archive marker");
  return "complete";
}

function corrupt(path: string, detail: string): AppError {
  return new AppError(
    "invalid_input",
    `${path} is corrupt or truncated: ${detail}`,
    "download or build it again",
  );
}
