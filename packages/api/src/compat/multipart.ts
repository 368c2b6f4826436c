import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { invalidInput, isAppError } from "@swhub/shared/errors";
import busboy from "busboy";
import { withIdleTimeout } from "./body";

/** The form fields that came before the file part, by name. */
export type FormFields = Record<string, string>;

/**
 * Reads a `multipart/form-data` body as it arrives. Fields are collected; the part named `fileField` is handed to
 * `onFile` as a stream (with the fields seen before it) and never held in memory. Other file parts are skipped.
 * If `onFile` refuses the file without reading it, the rest of the body is still read and dropped, so the client
 * gets the answer rather than a reset connection. Resolves once the whole body is read.
 */
export async function receiveMultipart<T>(
  req: Request,
  options: {
    fileField: string;
    idleMs: number;
    onFile(fields: FormFields, file: AsyncIterable<Uint8Array>): Promise<T>;
  },
): Promise<{ fields: FormFields; file?: T }> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(contentType) || !req.body) {
    throw invalidInput("Send the bundle as multipart/form-data with a file part named file");
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40 },
    });
  } catch (error) {
    throw invalidInput(`The multipart body can't be read: ${(error as Error).message}`);
  }
  const fields: FormFields = {};
  let work: Promise<T> | undefined;
  parser.on("field", (name, value) => {
    fields[name] = value;
  });
  parser.on("file", (name, stream) => {
    if (name !== options.fileField || work) {
      stream.resume();
      return;
    }
    work = options.onFile({ ...fields }, stream);
    // The parser finishes only when every file part has been read to its end.
    work.catch(() => stream.resume());
  });
  const body = Readable.from(withIdleTimeout(req.body as AsyncIterable<Uint8Array>, options.idleMs));
  try {
    await pipeline(body, parser);
  } catch (error) {
    await work?.catch(() => {});
    if (isAppError(error)) throw error;
    throw invalidInput(`The multipart body is malformed: ${(error as Error).message}`);
  }
  return { fields, file: work ? await work : undefined };
}
