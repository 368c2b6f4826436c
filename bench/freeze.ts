// Locking a venv without pip vs `python -m pip freeze` (and Starwhale's `pip check` + `pip freeze`), measured in
// the same run on the same venv. Run: pnpm tsx bench/freeze.ts [--dists 45] [--runs 9]
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { lockEnvironment } from "@swhub/runtime/python/lock";
import { buildWheel, createVenv, makeTempDir, pipInstall, runPip } from "@swhub/runtime/testing/python";

const { values } = parseArgs({
  options: { dists: { type: "string", default: "45" }, runs: { type: "string", default: "9" } },
});
const count = Number(values.dists);
const runs = Number(values.runs);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const tmp = await makeTempDir("bench-freeze");
try {
  const wheels = join(tmp, "wheels");
  const names = Array.from({ length: count }, (_, i) => `benchpkg-${String(i).padStart(2, "0")}`);
  // Each package depends on the two before it, so the check has real work to do.
  for (const [i, name] of names.entries()) {
    const requires = names.slice(Math.max(0, i - 2), i).map((dep) => `${dep}>=1.0; python_version >= "3"`);
    await buildWheel(wheels, { name, version: `1.${i}.0`, requires, extras: ["extra"] });
  }
  const venv = await createVenv(join(tmp, "venv"));
  await pipInstall(venv, names, { findLinks: wheels });

  const ours = () => lockEnvironment({ kind: "venv", prefix: venv });
  const pipFreeze = async () => {
    const result = await runPip(venv, ["freeze"]);
    if (result.code !== 0) throw new Error(result.stderr);
  };
  const pipCheckAndFreeze = async () => {
    const check = await runPip(venv, ["check"]);
    if (check.code !== 0) throw new Error(check.stdout);
    await pipFreeze();
  };
  const lock = await ours();
  const freezeLines = lock.content.split("\n").length - 1;
  if (freezeLines !== count) throw new Error(`expected ${count} locked distributions, got ${freezeLines}`);
  await pipFreeze();

  const samples = { ours: [] as number[], freeze: [] as number[], checkFreeze: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.ours.push(await time(ours));
    samples.freeze.push(await time(pipFreeze));
    samples.checkFreeze.push(await time(pipCheckAndFreeze));
  }
  const m = {
    ours: median(samples.ours),
    freeze: median(samples.freeze),
    checkFreeze: median(samples.checkFreeze),
  };
  console.log(
    `venv with ${lock.distributions.length} distributions (${count} locked), ${runs} runs, medians:`,
  );
  console.log(`  lockEnvironment (check + freeze, no spawn)  ${m.ours.toFixed(1)} ms`);
  console.log(`  python -m pip freeze                        ${m.freeze.toFixed(1)} ms`);
  console.log(`  python -m pip check + pip freeze (Starwhale) ${m.checkFreeze.toFixed(1)} ms`);
  console.log(
    `  ratio vs pip freeze: ${(m.ours / m.freeze).toFixed(3)}x; vs check + freeze: ${(m.ours / m.checkFreeze).toFixed(3)}x`,
  );
} finally {
  await rm(tmp, { recursive: true, force: true });
}
