/*
 * `swcli runtime build --venv` end to end (the bundled CLI through its launcher, process start included) against
 * `python -m pip freeze` alone, the least work Starwhale's lock step does, on the same venv in the same run.
 *
 *   pnpm tsx bench/standalone/build.ts [--dists 45] [--runs 9]
 *
 * Target: ratio <= 1.0. The CLI bundle is built first (`pnpm --filter @swhub/cli build`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildWheel, createVenv, pipEnv, pipInstall } from "@swhub/runtime/testing/python";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const launcher = join(repoRoot, "apps", "cli", "bin", "swcli.mjs");

export interface BuildBenchResult {
  distributions: number;
  runs: number;
  buildMs: number;
  freezeMs: number;
  ratio: number;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const start = performance.now();
  const result = spawnSync(command, args, { env, cwd, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return elapsed;
}

export async function benchBuild(options: { dists?: number; runs?: number } = {}): Promise<BuildBenchResult> {
  const count = options.dists ?? 45;
  const runs = options.runs ?? 9;
  execFileSync("pnpm", ["--filter", "@swhub/cli", "build"], { cwd: repoRoot, stdio: "ignore" });
  const work = mkdtempSync(join(tmpdir(), "swhub-bench-build-"));
  try {
    const wheels = join(work, "wheels");
    const names = Array.from({ length: count }, (_, i) => `benchpkg-${String(i).padStart(2, "0")}`);
    // Each package depends on the two before it, so the check has real work to do.
    for (const [i, name] of names.entries()) {
      const requires = names.slice(Math.max(0, i - 2), i).map((dep) => `${dep}>=1.0`);
      await buildWheel(wheels, { name, version: `1.${i}.0`, requires });
    }
    const venv = await createVenv(join(work, "venv"));
    await pipInstall(venv, names, { findLinks: wheels });

    const env = pipEnv({
      HOME: work,
      SW_CLI_CONFIG: join(work, "config.yaml"),
      SW_LOCAL_STORAGE: join(work, "store"),
    });
    const build = () => timed(process.execPath, [launcher, "runtime", "build", "--venv", venv], env, work);
    const freeze = () => timed(join(venv, "bin", "python"), ["-m", "pip", "freeze"], env, work);
    build();
    freeze();
    const samples = { build: [] as number[], freeze: [] as number[] };
    for (let i = 0; i < runs; i++) {
      samples.build.push(build());
      samples.freeze.push(freeze());
    }
    const buildMs = median(samples.build);
    const freezeMs = median(samples.freeze);
    return { distributions: count, runs, buildMs, freezeMs, ratio: buildMs / freezeMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { dists: { type: "string", default: "45" }, runs: { type: "string", default: "9" } },
  });
  const result = await benchBuild({ dists: Number(values.dists), runs: Number(values.runs) });
  console.log(`venv with ${result.distributions} installed distributions, ${result.runs} runs, medians:`);
  console.log(`  swcli runtime build --venv (bundled CLI, end to end)  ${result.buildMs.toFixed(0)} ms`);
  console.log(`  python -m pip freeze                                   ${result.freezeMs.toFixed(0)} ms`);
  console.log(`  ratio: ${result.ratio.toFixed(2)}x (target <= 1.0x)`);
}
