import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";

/*
 * For tests: requests exactly as Starwhale's `swcli` 0.6.15 (python-requests 2.28.1) sends them, as recorded in
 * spec `starwhale-api.md`. Raw `node:http`, so paths (the client's `//` included) and bodies go out byte for byte.
 */

/** The headers python-requests puts on every request. */
export const requestsHeaders = {
  "user-agent": "python-requests/2.28.1",
  "accept-encoding": "gzip, deflate",
  accept: "*/*",
  connection: "keep-alive",
};

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body as JSON (throws when it is not JSON, as the client would crash). */
  json(): unknown;
}

/** Sends one request to `base` (`http://127.0.0.1:PORT`) with `path` exactly as given. */
export function wireRequest(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<WireResponse> {
  const url = new URL(base);
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const headers: Record<string, string> = { ...requestsHeaders, ...init.headers };
  if (body !== undefined) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: init.method ?? "GET", headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("error", reject);
        res.on("end", () => {
          const bytes = Buffer.concat(parts);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: bytes,
            json: () => JSON.parse(bytes.toString("utf8")),
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A boundary as requests-toolbelt makes them: 32 lowercase hex characters. */
export function makeBoundary(): string {
  return randomBytes(16).toString("hex");
}

/**
 * The upload body of spec §3.6, byte for byte: the fields `runtime`, `project` and `force`, then the bundle as a
 * `text/plain` file part, CRLF line ends, no preamble, `--boundary--` and a CRLF at the end.
 */
export function uploadBody(input: {
  boundary: string;
  /** `<source name>:<version>`. */
  runtime: string;
  project: string;
  force: "0" | "1";
  version: string;
  bundle: Buffer;
}): Buffer {
  const field = (name: string, value: string) =>
    `--${input.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head =
    field("runtime", input.runtime) +
    field("project", input.project) +
    field("force", input.force) +
    `--${input.boundary}\r\nContent-Disposition: form-data; name="file"; filename="${input.version}.swrt"\r\n` +
    "Content-Type: text/plain\r\n\r\n";
  return Buffer.concat([Buffer.from(head), input.bundle, Buffer.from(`\r\n--${input.boundary}--\r\n`)]);
}

/** Bundles written by the real Starwhale 0.6.15 client, copied into the repo. */
export const starwhaleFixtures = {
  demo: { file: "demo.swrt", runtime: "demo", version: "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y" },
  yamlfull: { file: "yamlfull.swrt", version: "iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg" },
} as const;

export function readStarwhaleFixture(file: string): Buffer {
  return readFileSync(new URL(`../../../runtime/test-fixtures/starwhale-0.6.15/${file}`, import.meta.url));
}
