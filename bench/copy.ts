/*
 * `swcli runtime copy` to and from a server against plain HTTP transfer of the same bytes on loopback, in one run:
 *
 *   pnpm tsx bench/copy.ts [--mb 200,1000] [--runs 5] [--dir DIR]
 *
 * One process serves both: the swhub API (`serveApi`: tRPC, blob routes; real Postgres, a blob directory) and a
 * trivial node:http server that streams a PUT body to a file and a file to a GET. Timed, as medians, each a whole
 * process run:
 *   upload:   swcli runtime cp BIG cloud://bench/project/pN     (a fresh project each run, so every byte is sent;
 *             this includes hashing the bundle, the chunked upload, the server's verification and the commit)
 *   baseline: curl -T BIG http://127.0.0.1:PORT/f
 *   download: swcli runtime cp cloud://bench/project/p1/runtime/big dl-N   (verifies the digest, registers it)
 *   baseline: curl -o OUT http://127.0.0.1:PORT/f
 * Reports throughput and ours/plain as a ratio of throughputs, for each bundle size: at 200 MiB (the size the issue
 * names) a whole swcli process's fixed costs (Node's start-up, loading the CLI, the API calls around the transfer)
 * weigh in; at 1000 MiB they fade and the bytes' own path shows. Target: at least 0.8x.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { serveApi } from "@swhub/api/http";
import { createUser } from "@swhub/api/services/users";
import { createTestDatabase } from "@swhub/db/testing";
import { buildCli } from "../apps/cli/build.mjs";
import { makeBigBundle } from "../apps/cli/src/testing/big-bundle";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "200,1000" },
    runs: { type: "string", default: "5" },
    dir: { type: "string" },
  },
});
const runs = Number(values.runs);
const sizes = values.mb.split(",").map(Number);
const work = mkdtempSync(join(values.dir ?? tmpdir(), "swhub-bench-copy-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const db = await createTestDatabase();
const api = await serveApi({ db: db.db, blobs: createDirectoryBlobStore(join(work, "blobs")) });
await createUser(db.db, { name: "bench", password: "bench-password", isAdmin: true });
const plain = createServer((req, res) => {
  const file = join(work, "plain.bin");
  if (req.method === "PUT") {
    pipeline(req, createWriteStream(file)).then(
      () => res.writeHead(201).end(),
      () => res.writeHead(500).end(),
    );
  } else {
    res.writeHead(200, { "content-length": String(statSync(file).size) });
    pipeline(createReadStream(file), res).catch(() => res.destroy());
  }
});
await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/f`;

try {
  const entry = join((await buildCli({ outdir: join(work, "swcli") })).outdir, "swcli.mjs");
  // NODE_EXTRA_CA_CERTS makes every Node process read the certificates at start-up (these machines set it to the
  // system bundle: +40 ms a process). Nothing on loopback HTTP uses them, and a user's Node doesn't do this by
  // default, so swcli runs without it; curl reads its bundle only for TLS.
  const { NODE_EXTRA_CA_CERTS: _, ...inherited } = process.env;
  const env = {
    ...inherited,
    HOME: work,
    SW_CLI_CONFIG: join(work, "config.yaml"),
    SW_LOCAL_STORAGE: join(work, "store"),
  };
  const swcli = async (...args: string[]) => {
    const script = `const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(args)});`;
    const profile = process.env.BENCH_PROF_DIR
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`]
      : [];
    return await timed(process.execPath, [...profile, "--input-type=module", "-e", script], env);
  };
  await swcli(
    "instance",
    "login",
    api.url,
    "--alias",
    "bench",
    "--username",
    "bench",
    "--password",
    "bench-password",
  );
  await swcli("instance", "select", "local");

  const report = (mb: number, what: string, ours: Timing[], theirs: Timing[]) => {
    const o = median(ours.map((t) => t.wall));
    const t = median(theirs.map((t) => t.wall));
    const ratio = t / o;
    const cpu = (xs: Timing[]) =>
      `CPU ${(median(xs.map((x) => x.clientCpu)) / 1000).toFixed(2)} s client + ${(median(xs.map((x) => x.serverCpu)) / 1000).toFixed(2)} s server`;
    console.log(
      `  ${what.padEnd(9)} swcli ${(mb / (o / 1000)).toFixed(0)} MB/s (${o.toFixed(0)} ms; ${cpu(ours)})\n` +
        `  ${"".padEnd(9)} plain ${(mb / (t / 1000)).toFixed(0)} MB/s (${t.toFixed(0)} ms; ${cpu(theirs)})\n` +
        `  ${"".padEnd(9)} ${what} ratio ${ratio.toFixed(2)}x of plain HTTP at ${mb.toFixed(0)} MiB (target >= 0.8x: ${ratio >= 0.8 ? "met" : "MISSED"})`,
    );
  };

  for (const size of sizes) {
    const big = await makeBigBundle(work, size);
    const stored = join(
      work,
      "store",
      "self",
      "runtime",
      "big",
      big.version.slice(0, 2),
      `${big.version}.swrt`,
    );
    mkdirSync(join(stored, ".."), { recursive: true });
    renameSync(big.path, stored);
    const mb = big.size / (1 << 20);
    console.log(`\nbundle: ${mb.toFixed(1)} MiB; ${runs} runs each, alternating`);

    // One untimed round first, so both servers run warm code as a long-running server does (the swhub server's
    // first transfers run its code cold and take up to twice as long; the plain one is a few lines).
    if (size === sizes[0]) {
      const project = `cloud://bench/project/warm-up`;
      await swcli("project", "create", project);
      await timed("curl", ["-sf", "-T", stored, plainUrl]);
      await swcli("runtime", "cp", `big/version/${big.version}`, project);
      await timed("curl", ["-sf", "-o", join(work, "plain-out.bin"), plainUrl]);
      await swcli("runtime", "cp", `${project}/runtime/big`, "dl-warm-up");
      rmSync(join(work, "store", "self", "runtime", "dl-warm-up"), { recursive: true, force: true });
    }
    const up: Timing[] = [];
    const upPlain: Timing[] = [];
    const down: Timing[] = [];
    const downPlain: Timing[] = [];
    for (let i = 1; i <= runs; i++) {
      const project = `cloud://bench/project/s${size}-p${i}`;
      await swcli("project", "create", project);
      upPlain.push(await timed("curl", ["-sf", "-T", stored, plainUrl]));
      up.push(await swcli("runtime", "cp", `big/version/${big.version}`, project));
      downPlain.push(await timed("curl", ["-sf", "-o", join(work, "plain-out.bin"), plainUrl]));
      down.push(await swcli("runtime", "cp", `${project}/runtime/big`, `dl-${i}`));
      rmSync(join(work, "store", "self", "runtime", `dl-${i}`), { recursive: true, force: true });
    }
    console.log("copy, medians of the same run (MB = MiB):");
    report(mb, "upload", up, upPlain);
    report(mb, "download", down, downPlain);
    rmSync(stored, { force: true });
    rmSync(join(work, "blobs"), { recursive: true, force: true });
  }
} finally {
  plain.close();
  await api.close();
  await db.drop();
  rmSync(work, { recursive: true, force: true });
}

interface Timing {
  /** Wall time of the run, ms. */
  wall: number;
  /** CPU time of the client process and of this process (the servers), ms. */
  clientCpu: number;
  serverCpu: number;
}

/**
 * Wall and CPU time of a process run (asynchronous: the servers run in this process); fails loudly. The client's
 * CPU time comes from GNU time, the servers' from this process's own usage over the run.
 */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timing> {
  // Each run starts with no dirty pages left by the one before: otherwise the kernel's writeback of the last run's
  // hundreds of MB lands in the middle of this one, on either side of the comparison.
  execFileSync("sync");
  const cpu = process.cpuUsage();
  const start = performance.now();
  const child = spawn("/usr/bin/time", ["-f", "%U %S", command, ...args], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${stderr}`);
  const [user, sys] = stderr.trimEnd().split("\n").at(-1)!.split(" ").map(Number);
  if (process.env.BENCH_VERBOSE) console.log(`${args.slice(-3).join(" ")}: ${wall.toFixed(0)} ms\n${stderr}`);
  return { wall, clientCpu: ((user ?? 0) + (sys ?? 0)) * 1000, serverCpu: (used.user + used.system) / 1000 };
}
