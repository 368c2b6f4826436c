/*
 * Restore speed of a packed environment, against plain GNU tar on the same machine in the same run.
 *
 *   pnpm tsx bench/restore.ts [--mb 200] [--runs 5] [--pack-runs 3] [--dir DIR] [--keep]
 *
 * Builds a venv of about --mb megabytes with many files (sources, and binary blobs like extension modules),
 * then times, as medians of several runs:
 *   restore: unpackEnv(archive, dir)   vs  tar -xzf archive -C dir     (target: ratio <= 1.5)
 *   pack:    packEnv(venv, archive)    vs  tar -czf archive -C venv .
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packEnv, unpackEnv } from "@swhub/runtime/bundle/packed-env";
import { makeEnv } from "./synthetic-venv";

const args = parseArgs(process.argv.slice(2));
const targetMb = Number(args.mb ?? 200);
const runs = Number(args.runs ?? 5);
const packRuns = Number(args["pack-runs"] ?? 3);

const work = mkdtempSync(join(args.dir ?? tmpdir(), "swhub-bench-restore-"));
try {
  const venv = join(work, "venv");
  const stats = makeEnv(venv, targetMb);
  console.log(`env: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(0)} MB in ${venv}`);

  const ours = join(work, "ours.tar.gz");
  const theirs = join(work, "theirs.tar.gz");
  const pack = await compare(
    packRuns,
    async () => {
      await packEnv(venv, ours);
    },
    async () => {
      execFileSync("tar", ["-czf", theirs, "-C", venv, "."]);
    },
    settle,
  );
  console.log(
    `archive: ours ${(statSync(ours).size / 1e6).toFixed(1)} MB, tar -czf ${(statSync(theirs).size / 1e6).toFixed(1)} MB`,
  );

  const target = join(work, "restored");
  const restore = await compare(
    runs,
    async () => {
      await unpackEnv(ours, target);
    },
    async () => {
      mkdirSync(target);
      execFileSync("tar", ["-xzf", ours, "-C", target]);
    },
    // Removing the tree is not part of either measurement.
    () => {
      rmSync(target, { recursive: true, force: true });
      settle();
    },
  );

  console.log("");
  report("pack   (packEnv vs tar -czf)", pack);
  report("restore (unpackEnv vs tar -xzf)", restore);
  const ok = restore.ratio <= 1.5;
  console.log(`\nrestore target <= 1.5x: ${ok ? "met" : "MISSED"} (${restore.ratio.toFixed(2)}x)`);
  process.exitCode = ok ? 0 : 1;
} finally {
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}

/** Flush dirty pages between runs, so one run's writeback is not billed to the next. */
function settle(): void {
  execFileSync("sync");
}

interface Comparison {
  ours: number;
  theirs: number;
  ratio: number;
}

/** Alternate the two (ours first, then theirs) so drift hits both alike; medians in ms. */
async function compare(
  count: number,
  ours: () => Promise<void>,
  theirs: () => Promise<void>,
  after: () => void = () => {},
): Promise<Comparison> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < count; i++) {
    a.push(await time(ours));
    after();
    b.push(await time(theirs));
    after();
  }
  const result = { ours: median(a), theirs: median(b), ratio: median(a) / median(b) };
  console.log(`  ours   ${a.map((t) => t.toFixed(0)).join(" ")} ms`);
  console.log(`  theirs ${b.map((t) => t.toFixed(0)).join(" ")} ms`);
  return result;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function report(label: string, c: Comparison): void {
  console.log(
    `${label.padEnd(34)} ours ${c.ours.toFixed(0).padStart(6)} ms   tar ${c.theirs.toFixed(0).padStart(6)} ms   ratio ${c.ratio.toFixed(2)}x`,
  );
}

function parseArgs(argv: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) out[arg.slice(2)] = "1";
    else out[arg.slice(2)] = argv[++i];
  }
  return out;
}
