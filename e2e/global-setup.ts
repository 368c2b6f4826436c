import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWheel } from "@swhub/runtime/testing/python";
import { pushBaseImage } from "./images";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * Starts the system the way users do (`scripts/start.ts`: build when stale, embedded PGlite, the web app
 * and the worker) on a free port with its own data directory, and stops it after the run.
 */
export default async function globalSetup() {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), "swhub-e2e-"));
  // Builds run offline: the worker installs from this wheel directory only (pip's --find-links, no index).
  const wheels = join(dataDir, "wheels");
  await mkdir(wheels);
  await buildWheel(wheels, { name: "e2e-alpha", version: "1.0", requires: ["e2e-beta>=1"] });
  await buildWheel(wheels, { name: "e2e-beta", version: "1.2" });
  const admin = { name: "starwhale", password: `e2e-${Math.random().toString(36).slice(2, 12)}` };

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    SW_ADMIN_USER: admin.name,
    SW_ADMIN_PASSWORD: admin.password,
    // Our own queues, so a worker of another instance on the same Redis never takes our jobs.
    SW_QUEUE_PREFIX: `swhub-e2e-${port}`,
    SW_BUILD_FIND_LINKS: wheels,
  };
  // With the loopback registry test-all.sh starts, the worker pushes images there (over http), on the python base
  // image pushed here, under a namespace of this run.
  const registry = process.env.SW_TEST_REGISTRY;
  if (registry) {
    env.SW_REGISTRY = `${registry}/e2e-${port}`;
    env.SW_REGISTRY_INSECURE = "1";
    env.SW_BASE_IMAGE = await pushBaseImage(registry);
  }
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  // An empty Postgres database instead of the embedded one, when given (migrations run on start).
  if (process.env.SW_E2E_DATABASE_URL) env.DATABASE_URL = process.env.SW_E2E_DATABASE_URL;

  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<void>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes("swhub  | ready: ")) done();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      fail(new Error(`pnpm start exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const timeout = setTimeout(() => child.kill("SIGTERM"), 240_000);
  try {
    await ready;
  } finally {
    clearTimeout(timeout);
  }

  process.env.SW_E2E_BASE_URL = `http://127.0.0.1:${port}`;
  process.env.SW_E2E_ADMIN_USER = admin.name;
  process.env.SW_E2E_ADMIN_PASSWORD = admin.password;

  return async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    await rm(dataDir, { recursive: true, force: true });
  };
}
