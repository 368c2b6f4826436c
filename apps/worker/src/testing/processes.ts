import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

export interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

function track(child: ChildProcess): Proc {
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The worker as `pnpm start` runs it: its own process, configured by environment only. Resolves once ready. */
export async function startWorkerProcess(env: Record<string, string>): Promise<Proc> {
  const entry = fileURLToPath(new URL("../index.ts", import.meta.url));
  const proc = track(
    spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  await waitUntil(async () => proc.output().includes("worker: ready"), 30_000);
  return proc;
}

/** Polls until `check` holds (works outside tests too, in hooks). */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own (append-only file on, as a production Redis keeps its data), restartable. */
export async function startPrivateRedis(): Promise<{
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "swhub-redis-"));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: Proc | undefined;
  const start = async () => {
    proc = track(
      spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      ),
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    probe.on("error", () => {});
    await waitUntil(async () => (await probe.ping().catch(() => "no")) === "PONG", 10_000);
    probe.disconnect();
  };
  const stop = async () => {
    if (!proc) return;
    proc.child.kill("SIGTERM");
    await proc.exited;
    proc = undefined;
  };
  await start();
  return {
    url,
    async restart() {
      await stop();
      await start();
    },
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
