import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What to do with a request: pass it on, cut the connection before the registry sees it, or pass on
 * half of its body and then cut both sides (the registry then holds a partial chunk).
 */
export type Fault = "pass" | "drop" | "cut-halfway";

export interface FaultProxy {
  /** `127.0.0.1:PORT`, to use as the registry name. */
  host: string;
  /** Requests seen, with what was done to each. */
  seen: { method: string; url: string; fault: Fault }[];
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a real registry that breaks chosen requests, for testing how a
 * client recovers from real network failures. The Host header is passed through, so the registry's
 * absolute upload URLs point back at the proxy.
 */
export async function startFaultProxy(
  target: string,
  decide: (req: IncomingMessage, index: number) => Fault,
): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const seen: FaultProxy["seen"] = [];
  const server = createServer((req, res) => {
    const fault = decide(req, seen.length);
    seen.push({ method: req.method ?? "", url: req.url ?? "", fault });
    if (fault === "drop") {
      req.socket.destroy();
      return;
    }
    const upstream = request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    if (fault === "pass") {
      req.pipe(upstream);
      return;
    }
    const half = Math.floor(Number(req.headers["content-length"] ?? 0) / 2);
    let sent = 0;
    req.on("data", (chunk: Buffer) => {
      if (sent >= half) return;
      const part = chunk.subarray(0, half - sent);
      sent += part.length;
      upstream.write(part);
      if (sent >= half) {
        // Give the registry a moment to store what it got, then break both connections.
        setTimeout(() => {
          upstream.destroy();
          req.socket.destroy();
        }, 100);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
