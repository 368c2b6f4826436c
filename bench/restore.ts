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
import { randomFillSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packEnv, unpackEnv } from "@swhub/runtime/bundle/packed-env";

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

/**
 * A venv shaped like a real one with scientific packages: per package a tree of .py sources (compressible text,
 * 1-16 KB) and a few binary "extension modules" (half random, half zeros), plus console scripts in bin/.
 */
function makeEnv(venv: string, mb: number): { files: number; bytes: number } {
  execFileSync("python3", ["-m", "venv", "--without-pip", venv]);
  const pyVersion = execFileSync(join(venv, "bin", "python"), [
    "-c",
    "import sys; print('%d.%d' % sys.version_info[:2])",
  ])
    .toString()
    .trim();
  const site = join(venv, "lib", `python${pyVersion}`, "site-packages");
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const words = [
    "self",
    "return",
    "import",
    "def",
    "class",
    "value",
    "data",
    "array",
    "index",
    "result",
    "None",
  ];
  const source = (size: number) => {
    const lines: string[] = [];
    let length = 0;
    while (length < size) {
      const line = `    ${Array.from({ length: 6 }, () => words[Math.floor(random() * words.length)]).join(" ")} = ${Math.floor(random() * 1e6)}\n`;
      lines.push(line);
      length += line.length;
    }
    return lines.join("");
  };
  const budget = mb * 1e6;
  let bytes = 0;
  let files = 0;
  for (let p = 0; bytes < budget; p++) {
    const pkg = join(site, `pkg${p}`);
    for (let d = 0; d < 6; d++) {
      const dir = join(pkg, `sub${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 25; f++) {
        const text = source(1024 + Math.floor(random() * 15 * 1024));
        writeFileSync(join(dir, `mod${f}.py`), text);
        bytes += text.length;
        files++;
      }
    }
    for (let s = 0; s < 2; s++) {
      const blob = Buffer.alloc(400_000 + Math.floor(random() * 400_000));
      randomFillSync(blob, 0, blob.length >> 1);
      writeFileSync(join(pkg, `_ext${s}.cpython-311-x86_64-linux-gnu.so`), blob);
      bytes += blob.length;
      files++;
    }
    const script = `#!${venv}/bin/python\nimport sys\nfrom pkg${p} import main\nsys.exit(main())\n`;
    writeFileSync(join(venv, "bin", `pkg${p}-cli`), script, { mode: 0o755 });
    files++;
  }
  return { files, bytes };
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
