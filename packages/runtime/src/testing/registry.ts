import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import bcrypt from "bcryptjs";
import { stringify } from "yaml";
import { startTokenServer, type TestUser, type TokenServer } from "./token-server";

export { buildPythonBaseImage, type PythonBaseImage } from "./base-image";
export type { TestUser } from "./token-server";

export interface StartRegistryOptions {
  auth?: "none" | "basic" | "token";
  /** Answer with relative upload `Location`s (`http.relativeurls`), as some registries do. */
  relativeUrls?: boolean;
  /** Token auth only: let anonymous clients pull. */
  anonymousPull?: boolean;
  /** Serve https with a self-signed certificate for 127.0.0.1 (see `caCert`). */
  tls?: boolean;
}

/** One request the registry served, read from its own log. */
export interface LoggedRequest {
  method: string;
  uri: string;
  status: number;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`: the registry name to use in image references. */
  host: string;
  /** `http://127.0.0.1:PORT`, or https with `tls`. */
  url: string;
  /** With `tls`: the PEM certificate a client must trust. */
  caCert?: string;
  /** The account with full access (basic and token auth). */
  user: TestUser;
  /** A pull-only account (token auth; under basic auth it can do everything, htpasswd has no permissions). */
  reader: TestUser;
  tokenServer?: TokenServer;
  storageDir: string;
  /** Every request served so far, in order. */
  requests(): LoggedRequest[];
  stop(): Promise<void>;
}

const registryBinary = "docker-registry";
const run = promisify(execFile);

/**
 * Starts Debian's `docker-registry` (Distribution 2.8) on a free loopback port with its own temporary
 * storage, optionally behind htpasswd (bcrypt) or token auth with a token server in this process.
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? "none";
  const dir = await mkdtemp(join(tmpdir(), "swhub-registry-"));
  const user: TestUser = {
    username: "swhub",
    password: "correct-horse",
    access: "all",
    identityToken: "swhub-refresh-token",
  };
  const reader: TestUser = { username: "reader", password: "reader-pw", access: "pull" };

  let tokenServer: TokenServer | undefined;
  let authConfig: object | undefined;
  if (auth === "basic") {
    const lines = [user, reader].map((u) => `${u.username}:${bcrypt.hashSync(u.password, 4)}`);
    await writeFile(join(dir, "htpasswd"), `${lines.join("\n")}\n`);
    authConfig = { htpasswd: { realm: "swhub-test", path: join(dir, "htpasswd") } };
  } else if (auth === "token") {
    tokenServer = await startTokenServer(dir, [user, reader], options.anonymousPull);
    authConfig = {
      token: {
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootcertbundle: tokenServer.certPath,
      },
    };
  }

  let tlsConfig: { certificate: string; key: string } | undefined;
  let caCert: string | undefined;
  if (options.tls) {
    tlsConfig = { certificate: join(dir, "tls-cert.pem"), key: join(dir, "tls-key.pem") };
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      tlsConfig.key,
      "-out",
      tlsConfig.certificate,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ]);
    caCert = await readFile(tlsConfig.certificate, "utf8");
  }

  // A port picked just now can be taken before the registry binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = {
      version: 0.1,
      log: { level: "info", formatter: "json", accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: join(dir, "storage") },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: {
        addr: `127.0.0.1:${port}`,
        secret: "swhub-test-secret",
        relativeurls: options.relativeUrls ?? false,
        ...(tlsConfig ? { tls: tlsConfig } : {}),
      },
      ...(authConfig ? { auth: authConfig } : {}),
    };
    await writeFile(join(dir, "config.yml"), stringify(config));
    const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
    const started = await spawnRegistry(join(dir, "config.yml"), url, caCert);
    if (!started.ok) {
      if (attempt < 3 && /address already in use/.test(started.output)) continue;
      await tokenServer?.stop();
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `docker-registry did not start: ${started.output.trim().split("\n").slice(-3).join(" | ")}`,
      );
    }
    const { child, log } = started;
    return {
      host: `127.0.0.1:${port}`,
      url,
      ...(caCert ? { caCert } : {}),
      user,
      reader,
      ...(tokenServer ? { tokenServer } : {}),
      storageDir: join(dir, "storage"),
      requests: () => parseRequests(log()),
      async stop() {
        await stopChild(child);
        await tokenServer?.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

type Spawned = { ok: true; child: ChildProcess; log: () => string } | { ok: false; output: string };

async function spawnRegistry(configPath: string, url: string, ca: string | undefined): Promise<Spawned> {
  const child = spawn(registryBinary, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => {
    output += d;
  });
  child.stderr!.on("data", (d: Buffer) => {
    output += d;
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return { ok: false, output };
    const status = await probe(`${url}/v2/`, ca);
    if (status === 200 || status === 401) return { ok: true, child, log: () => output };
    await new Promise((r) => setTimeout(r, 25));
  }
  await stopChild(child);
  return { ok: false, output: `${output}\n(timed out waiting for the registry)` };
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** The status of a GET, or undefined while nothing listens. */
function probe(url: string, ca: string | undefined): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = (url.startsWith("https") ? httpsGet : httpGet)(url, ca ? { ca } : {}, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", () => resolve(undefined));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function parseRequests(log: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  for (const line of log.split("\n")) {
    if (!line.startsWith("{") || !line.includes('"http.request.method"')) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry["http.response.status"] !== "number") continue;
      requests.push({
        method: String(entry["http.request.method"]),
        uri: String(entry["http.request.uri"]),
        status: entry["http.response.status"] as number,
      });
    } catch {
      // a partial line at the end of the buffer
    }
  }
  return requests;
}
