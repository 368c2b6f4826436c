// The console at size: 10,000 versions over 200 runtimes in one project (bench/console/seed.ts).
//  1. Server time of the runtimes list and a runtime's history, through the tRPC caller as the pages call them (p50 and
//     p95 over 200 requests), next to `auth.me` (one indexed lookup) and a bare `SELECT 1` from the same run.
//  2. The same procedures over HTTP from the web app's server (`apps/web/server.ts`, production), next to /api/health.
//  3. Chromium: navigation to the runtimes and history pages until their table is visible, next to the account page.
// Targets: p95 under 50 ms server time; under 1 s to a visible table.
// Run: pnpm tsx bench/console.ts [--requests 200] [--navigations 20]   (builds the console first if it has no build)
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { createCaller } from "@swhub/api/root";
import { createSession } from "@swhub/api/services/sessions";
import { createUser } from "@swhub/api/services/users";
import { createContext } from "@swhub/api/trpc";
import { createTestDatabase } from "@swhub/db/testing";
import postgres from "postgres";
import { perRuntime, runtimeCount, seedConsoleProject } from "./console/seed";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "200" }, navigations: { type: "string", default: "20" } },
});
const requests = Number(values.requests);
const navigations = Number(values.navigations);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(label: string, count: number, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 5; i++) await run(); // warm-up: plans cached, connections open
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  const p50 = percentile(samples, 50).toFixed(1).padStart(7);
  const p95 = percentile(samples, 95).toFixed(1).padStart(7);
  console.log(`${p50} ms ${p95} ms  ${label}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

const t = await createTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), "swhub-bench-console-"));
let web: ChildProcess | undefined;
try {
  const user = await createUser(t.db, { name: "bench", password: "password-bench" });
  const seeded = performance.now();
  await seedConsoleProject(t.db, user, "big");
  await seedConsoleProject(t.db, user, "neighbour");
  const admin = postgres(t.url, { max: 1 });
  await admin`ANALYZE`;
  console.log(
    `seeded ${runtimeCount * perRuntime} versions over ${runtimeCount} runtimes per project (2 projects) in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );
  const { token } = await createSession(t.db, { userId: user.id });
  const blobStore = createDirectoryBlobStore(join(dataDir, "blobs"));
  // A context per request, as the server makes one: the session lookup is part of every request's time.
  const fresh = async () =>
    createCaller(
      await createContext({
        db: t.db,
        blobs: blobStore,
        headers: new Headers({ cookie: `sw_session=${token}` }),
      }),
    );
  const procedures: [string, () => Promise<unknown>][] = [
    ["runtime.list (page 1, by name)", async () => (await fresh()).runtime.list({ project: "big" })],
    [
      "runtime.list (by latest update, page 5)",
      async () => (await fresh()).runtime.list({ project: "big", sort: "updated", page: 5 }),
    ],
    [
      "runtime.list (name prefix rt-1)",
      async () => (await fresh()).runtime.list({ project: "big", name: "rt-1" }),
    ],
    [
      "runtime.history (page 1, 20 rows as the page shows)",
      async () => (await fresh()).runtime.history({ project: "big", name: "rt-100", size: 20 }),
    ],
    [
      "runtime.diff (v0 → latest, 40 packages)",
      async () => (await fresh()).runtime.diff({ project: "big", name: "rt-100", from: "v0", to: "latest" }),
    ],
  ];
  console.log(`\n1. tRPC caller in-process, ${requests} requests each    p50       p95`);
  await time("baseline: SELECT 1 (its own connection)", requests, () => admin`SELECT 1`);
  await time("baseline: auth.me (a fresh context: the session lookup)", requests, async () =>
    (await fresh()).auth.me(),
  );
  for (const [label, run] of procedures) await time(label, requests, run);

  if (!existsSync(join(root, "apps/web/.next/BUILD_ID"))) {
    console.log("\nbuilding the console (no build found)…");
    const built = spawnSync("pnpm", ["--filter", "@swhub/web", "build"], { cwd: root, stdio: "inherit" });
    if (built.status !== 0) throw new Error("the console build failed");
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  web = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: join(root, "apps/web"),
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      DATABASE_URL: t.url,
      DATA_DIR: dataDir,
      SW_QUEUE_PREFIX: `swhub-bench-${port}`,
    },
    stdio: "ignore",
    detached: true,
  });
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 120) throw new Error("the web server did not become healthy in 60 s");
    await new Promise((r) => setTimeout(r, 500));
  }
  const cookie = `sw_session=${token}`;
  const trpcGet = (procedure: string, input: unknown) => async () => {
    const res = await fetch(
      `${base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
      {
        headers: { cookie },
      },
    );
    if (!res.ok) throw new Error(`${procedure}: HTTP ${res.status}`);
    await res.arrayBuffer();
  };
  console.log(`\n2. over HTTP from the web server, ${requests} requests each  p50       p95`);
  await time("baseline: GET /api/health (SELECT 1 and a Redis PING)", requests, async () => {
    await (await fetch(`${base}/api/health`)).arrayBuffer();
  });
  await time("runtime.list (page 1, by name)", requests, trpcGet("runtime.list", { project: "big" }));
  await time(
    "runtime.history (page 1, 20 rows as the page shows)",
    requests,
    trpcGet("runtime.history", { project: "big", name: "rt-100", size: 20 }),
  );

  const html = (path: string) => async () => {
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    await res.text();
  };
  await time("page HTML, baseline: /account", requests, html("/account"));
  await time("page HTML: /projects/big/runtimes", requests, html("/projects/big/runtimes"));
  await time("page HTML: /projects/big/runtimes/rt-100", requests, html("/projects/big/runtimes/rt-100"));

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: "sw_session", value: token, url: base }]);
    const page = await context.newPage();
    const navigate = (path: string, visible: string) => async () => {
      await page.goto(`${base}${path}`, { waitUntil: "commit" });
      await page.getByRole("table", { name: visible }).waitFor({ state: "visible" });
    };
    console.log(
      `\n3. Chromium, navigation until the table is visible, ${navigations} navigations  p50       p95`,
    );
    await time("baseline: /account (API tokens table)", navigations, async () => {
      await page.goto(`${base}/account`, { waitUntil: "commit" });
      await page.getByRole("heading", { name: "API tokens" }).waitFor({ state: "visible" });
    });
    await time("/projects/big/runtimes", navigations, navigate("/projects/big/runtimes", "Runtimes"));
    await time(
      "/projects/big/runtimes?sort=updated&page=5",
      navigations,
      navigate("/projects/big/runtimes?sort=updated&page=5", "Runtimes"),
    );
    await time(
      "/projects/big/runtimes/rt-100 (history)",
      navigations,
      navigate("/projects/big/runtimes/rt-100", "Versions"),
    );
    await time(
      "/projects/big/runtimes/rt-100/diff?from=v0&to=latest",
      navigations,
      navigate("/projects/big/runtimes/rt-100/diff?from=v0&to=latest", "Package changes"),
    );
  } finally {
    await browser.close();
  }
} finally {
  if (web?.pid) process.kill(-web.pid, "SIGTERM");
  await t.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
