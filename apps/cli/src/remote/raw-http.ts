import { createReadStream } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * Every request to a server goes over node:http rather than fetch. For bulk bytes, fetch copies a request body into
 * a web stream and hands a response back in small web-stream pieces, which cost as much CPU as the transfer itself
 * at loopback speed; for the small JSON calls, fetch's first request costs ~60 ms more (loading undici and its
 * WebAssembly parser), a tenth of a whole `runtime copy`. One keep-alive agent per protocol, so the requests of a
 * command share a connection.
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

/** The little of a fetch `Response` that JSON calls read (tRPC's `ResponseEsque`, the blob client's answers). */
export interface JsonResponse {
  readonly ok: boolean;
  readonly status: number;
  header(name: string): string | undefined;
  readonly setCookies: string[];
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** A small fetch on node:http for JSON calls: the same options fetch takes, the answer read whole. */
export async function httpFetch(
  url: string | URL | { url: string },
  init: {
    method?: string;
    headers?: Record<string, string | readonly string[]> | string[][] | Headers;
    body?: unknown;
    signal?: AbortSignal | null;
  } = {},
): Promise<JsonResponse> {
  const body = typeof init.body === "string" ? Buffer.from(init.body) : init.body;
  if (body !== undefined && body !== null && !(body instanceof Uint8Array)) {
    throw new TypeError("httpFetch sends only string or byte bodies");
  }
  // No `instanceof Headers` or `Request`: touching those globals is what loads undici.
  const given = init.headers ?? {};
  const pairs = Array.isArray(given)
    ? given
    : typeof given.entries === "function"
      ? [...(given as Headers).entries()]
      : Object.entries(given);
  const response = await rawRequest(typeof url === "object" && "url" in url ? url.url : String(url), {
    method: init.method ?? "GET",
    headers: Object.fromEntries(pairs.map(([name, value]) => [name, [value].flat().join(", ")])),
    body: body ?? undefined,
    signal: init.signal ?? undefined,
  });
  return readAnswer(response);
}

/** A whole (small) answer, read into memory. */
export async function readAnswer(response: IncomingMessage): Promise<JsonResponse> {
  const text = await readText(response);
  const status = response.statusCode ?? 500;
  return {
    ok: status >= 200 && status < 300,
    status,
    header(name) {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    setCookies: response.headers["set-cookie"] ?? [],
    text: async () => text,
    json: async () => JSON.parse(text),
  };
}
