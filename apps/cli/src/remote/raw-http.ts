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
  body?: Uint8Array;
  signal?: AbortSignal;
}

/** Sends the request; the response body is left to the caller to read (or `resume()` to drop). */
export function rawRequest(url: string, init: RawRequest): Promise<IncomingMessage> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: init.method,
      headers: { ...init.headers, ...(init.body ? { "content-length": String(init.body.byteLength) } : {}) },
      agent: agents[target.protocol as keyof typeof agents],
      signal: init.signal,
    });
    req.on("response", resolve);
    req.on("error", reject);
    req.end(init.body);
  });
}

/** A response body as text (for JSON answers and errors). */
export async function readText(response: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of response) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString("utf8");
}
