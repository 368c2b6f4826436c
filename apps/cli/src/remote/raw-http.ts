import { createReadStream } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * Bulk bytes over node:http rather than fetch: fetch copies a request body into a web stream and hands a response
 * back in small web-stream pieces, which cost as much CPU as the transfer itself at loopback speed. One keep-alive
 * agent per protocol, so the chunks of an upload share a connection.
 */
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 4 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 4 }),
};

export interface RawRequest {
  method: string;
  headers: Record<string, string>;
  /** Bytes in memory, or a file's byte range streamed from the disk. */
  body?: Uint8Array | FileRange;
  signal?: AbortSignal;
}

/** `length` bytes of the file at `path` from byte `start`; a file that turns out shorter fails the request. */
export interface FileRange {
  path: string;
  start: number;
  length: number;
  /** Told of each piece read for sending (for progress bars; the server's answer says what arrived). */
  onRead?(bytes: number): void;
}

/** Sends the request; the response body is left to the caller to read (or `resume()` to drop). */
export function rawRequest(url: string, init: RawRequest): Promise<IncomingMessage> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const body = init.body;
    const length = body instanceof Uint8Array ? body.byteLength : body?.length;
    const req = send(target, {
      method: init.method,
      headers: { ...init.headers, ...(length !== undefined ? { "content-length": String(length) } : {}) },
      agent: agents[target.protocol as keyof typeof agents],
      signal: init.signal,
    });
    req.on("response", resolve);
    req.on("error", reject);
    if (body === undefined || body instanceof Uint8Array) {
      req.end(body);
      return;
    }
    // Straight from the disk to the socket, in 1 MiB reads (the 64 KiB default costs more CPU than the sending).
    let read = 0;
    const file = createReadStream(body.path, {
      start: body.start,
      end: body.start + body.length - 1,
      highWaterMark: 1 << 20,
    });
    file.on("data", (piece) => {
      read += piece.length;
      body.onRead?.(piece.length);
    });
    file.on("error", (error) => req.destroy(error));
    file.on("end", () => {
      if (read !== body.length) req.destroy(new FileChanged(body.path));
    });
    file.pipe(req);
  });
}

/** The file ended before the range did: it changed (or was truncated) while it was being sent. */
export class FileChanged extends Error {
  override readonly name = "FileChanged";
  constructor(readonly path: string) {
    super(`${path} changed while it was being sent`);
  }
}

/** A response body as text (for JSON answers and errors). */
export async function readText(response: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of response) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString("utf8");
}
