import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkReason } from "./errors";
import { FileChanged, httpFetch, rawRequest, readText } from "./raw-http";

// A real server on loopback that records what each request delivered.
let server: Server;
let url: string;
let dir: string;
const received: { method: string; headers: IncomingMessage["headers"]; body: Buffer; complete: boolean }[] =
  [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "swcli-raw-http-"));
  server = createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on("data", (piece: Buffer) => pieces.push(piece));
    req.on("close", () => {
      received.push({
        method: req.method ?? "",
        headers: req.headers,
        body: Buffer.concat(pieces),
        complete: req.complete,
      });
    });
    req.on("end", () => {
      res.setHeader("set-cookie", ["sw_session=abc; HttpOnly", "other=1"]);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ got: Buffer.concat(pieces).length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("rawRequest", () => {
  it("streams a file's byte range as the body, with its length", async () => {
    const path = join(dir, "bytes.bin");
    const bytes = Buffer.from(Array.from({ length: 3 << 20 }, (_, i) => i % 251));
    writeFileSync(path, bytes);
    let told = 0;
    const response = await rawRequest(`${url}/put`, {
      method: "PATCH",
      headers: {},
      body: { path, start: 1000, length: 2 << 20, onRead: (n) => (told += n) },
    });
    expect(JSON.parse(await readText(response))).toEqual({ got: 2 << 20 });
    const last = received.at(-1)!;
    expect(last.headers["content-length"]).toBe(String(2 << 20));
    expect(last.body.equals(bytes.subarray(1000, 1000 + (2 << 20)))).toBe(true);
    expect(told).toBe(2 << 20);
  });

  it("fails when the file is shorter than the range, and the server never sees a complete body", async () => {
    const path = join(dir, "short.bin");
    writeFileSync(path, Buffer.alloc(1000, 7));
    const sent = rawRequest(`${url}/put`, {
      method: "PATCH",
      headers: {},
      body: { path, start: 0, length: 5000 },
    });
    await expect(sent).rejects.toBeInstanceOf(FileChanged);
    await expect(sent).rejects.toThrow(`${path} changed while it was being sent`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.at(-1)).toMatchObject({ complete: false });
  });
});

describe("httpFetch", () => {
  it("sends a JSON call and reads status, headers, cookies and body", async () => {
    const answer = await httpFetch(`${url}/call`, {
      method: "POST",
      headers: [["x-test", "yes"]],
      body: JSON.stringify({ a: 1 }),
    });
    expect(answer.ok).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.header("Content-Type")).toBe("application/json");
    expect(answer.setCookies).toEqual(["sw_session=abc; HttpOnly", "other=1"]);
    expect(await answer.json()).toEqual({ got: 7 });
    expect(received.at(-1)).toMatchObject({ method: "POST", headers: { "x-test": "yes" } });
  });

  it("fails with an error the CLI can name when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(networkReason(error)).toMatch(/refused/);
  });
});
