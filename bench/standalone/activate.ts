/*
 * First activation of a runtime with a packed environment, against plain tar on the same files, in one run:
 *
 *   pnpm tsx bench/standalone/activate.ts [--dists 48] [--mb 150] [--runs 5] [--dir DIR] [--keep]
 *
 * Builds a venv of --dists distributions (about --mb megabytes, installed by pip from generated wheels), builds a
 * runtime from it with `swcli runtime build -v VENV --pack-env`, and times, as medians:
 *   ours:   swcli runtime activate NAME --print   on a store where the runtime was never extracted
 *           (a whole swcli process: extract the bundle, unpack and relocate the environment, write the scripts)
 *   theirs: tar -xf bundle.swrt -C d && tar -xzf d/export/venv_env.tar.gz -C d/export/venv
 * Target: ours at most 1.5x theirs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildWheel, createVenv, pipInstall } from "@swhub/runtime/testing/python";
import { buildCli } from "../../apps/cli/build.mjs";

export interface ActivateBenchOptions {
  /** Installed distributions in the venv (at least 40 for the figure). */
  dists?: number;
  /** Approximate size of the venv's packages, in megabytes. */
  mb?: number;
  runs?: number;
  /** Where the work directory goes (default: the OS temp dir). */
  dir?: string;
  keep?: boolean;
  log?: (line: string) => void;
}

export interface ActivateBenchResult {
  /** Medians in milliseconds. */
  ours: number;
  theirs: number;
  ratio: number;
  bundleBytes: number;
  envFiles: number;
}

export async function benchActivate(options: ActivateBenchOptions = {}): Promise<ActivateBenchResult> {
  const dists = options.dists ?? 48;
  const mb = options.mb ?? 150;
  const runs = options.runs ?? 5;
  const log = options.log ?? console.log;
  const work = mkdtempSync(join(options.dir ?? tmpdir(), "swhub-bench-activate-"));
  try {
    const venv = await makeVenv(join(work, "venv"), join(work, "wheels"), dists, mb);
    const envFiles = Number(
      execFileSync("sh", ["-c", `find '${venv}' -type f | wc -l`], { encoding: "utf8" }),
    );
    log(`env: ${dists} distributions, ${envFiles} files, ${du(venv)} in ${venv}`);

    // The bundle, built by swcli as users build it.
    const name = "benchrt";
    const storage = join(work, "store");
    const entry = join((await buildCli({ outdir: join(work, "swcli") })).outdir, "swcli.mjs");
    const env = {
      PATH: process.env.PATH,
      HOME: work,
      SW_CLI_CONFIG: join(work, "config.yaml"),
      SW_LOCAL_STORAGE: storage,
      PIP_NO_INDEX: "1",
      PIP_CONFIG_FILE: "/dev/null",
    };
    const swcli = (...args: string[]) => {
      const script = `const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(args)});`;
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        env,
        encoding: "utf8",
      });
      if (run.status !== 0) throw new Error(`swcli ${args.join(" ")} failed:\n${run.stderr}`);
      return run.stdout;
    };
    const built = JSON.parse(
      swcli("-o", "json", "runtime", "build", "-v", venv, "--name", name, "--pack-env"),
    ) as {
      version: string;
      bundle_path: string;
      size: number;
    };
    const { version, bundle_path: bundle, size: bundleBytes } = built;
    log(`bundle: ${(bundleBytes / 1e6).toFixed(0)} MB, from swcli runtime build -v VENV --pack-env`);
    const workdir = join(storage, "self", "workdir", "runtime", name, version.slice(0, 2), version);
    const activate = () => swcli("runtime", "activate", name, "--print");
    // Once for real: the activated environment must work.
    const command = activate();
    const probe = spawnSync("bash", ["-c", `${command}\npython -c 'import benchpkg_00; print("ok")'`], {
      encoding: "utf8",
    });
    if (probe.stdout.trim() !== "ok") throw new Error(`the activated env does not work:\n${probe.stderr}`);

    const target = join(work, "tar-x");
    const result = compare(
      runs,
      () => {
        activate();
      },
      () => {
        mkdirSync(join(target, "export", "venv"), { recursive: true });
        // (stderr: GNU tar says it drops the leading "/" of the bundle's root member.)
        const quiet = { stdio: ["ignore", "ignore", "pipe"] } as const;
        execFileSync("tar", ["-xf", bundle, "-C", target], quiet);
        execFileSync(
          "tar",
          ["-xzf", join(target, "export", "venv_env.tar.gz"), "-C", join(target, "export", "venv")],
          quiet,
        );
      },
      () => {
        // Every run is a first activation; removing trees is not part of either measurement.
        rmSync(workdir, { recursive: true, force: true });
        rmSync(target, { recursive: true, force: true });
        execFileSync("sync");
      },
      log,
    );
    log(
      `activate (first, packed env) ${result.ours.toFixed(0)} ms   tar -x ${result.theirs.toFixed(0)} ms   ratio ${result.ratio.toFixed(2)}x`,
    );
    return { ...result, bundleBytes, envFiles };
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  }
}

/** A venv with `dists` distributions from generated wheels: Python sources and binary blobs, like real packages. */
async function makeVenv(venv: string, wheels: string, dists: number, mb: number): Promise<string> {
  const perDist = (mb * 1e6) / dists;
  const names: string[] = [];
  for (let i = 0; i < dists; i++) {
    const name = `benchpkg-${String(i).padStart(2, "0")}`;
    const mod = name.replace(/-/g, "_");
    const modules: Record<string, string> = { [`${mod}/__init__.py`]: `VALUE = ${i}\n` };
    // Half source text (compresses well), half data (does not), as in wheels with extension modules.
    for (let f = 0; f < 20; f++) modules[`${mod}/sub/m${f}.py`] = source(perDist / 2 / 20, i * 100 + f);
    modules[`${mod}/_native.so`] = randomBytes(Math.floor(perDist / 2 / 1.33)).toString("base64");
    await buildWheel(wheels, { name, version: "1.0", modules });
    names.push(name);
  }
  await createVenv(venv);
  await pipInstall(venv, names, { findLinks: wheels });
  return venv;
}

function source(size: number, seed: number): string {
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
  let state = seed + 1;
  const out: string[] = [];
  let length = 0;
  while (length < size) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const line = `    ${words[state % words.length]}_${state % 997} = ${words[(state >> 8) % words.length]}(${state % 100_000})\n`;
    out.push(line);
    length += line.length;
  }
  return out.join("");
}

function du(path: string): string {
  return execFileSync("du", ["-sh", path], { encoding: "utf8" }).split("\t")[0]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Alternates the two (ours first) so drift hits both alike; `between` runs after each, untimed. */
function compare(
  count: number,
  ours: () => void,
  theirs: () => void,
  between: () => void,
  log: (line: string) => void,
): { ours: number; theirs: number; ratio: number } {
  const a: number[] = [];
  const b: number[] = [];
  const time = (fn: () => void) => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  };
  between();
  for (let i = 0; i < count; i++) {
    a.push(time(ours));
    between();
    b.push(time(theirs));
    between();
  }
  log(`  ours   ${a.map((t) => t.toFixed(0)).join(" ")} ms`);
  log(`  tar -x ${b.map((t) => t.toFixed(0)).join(" ")} ms`);
  return { ours: median(a), theirs: median(b), ratio: median(a) / median(b) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      dists: { type: "string", default: "48" },
      mb: { type: "string", default: "150" },
      runs: { type: "string", default: "5" },
      dir: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
  const result = await benchActivate({
    dists: Number(values.dists),
    mb: Number(values.mb),
    runs: Number(values.runs),
    dir: values.dir,
    keep: values.keep,
  });
  const ok = result.ratio <= 1.5;
  console.log(`target <= 1.5x: ${ok ? "met" : "MISSED"} (${result.ratio.toFixed(2)}x)`);
  process.exitCode = ok ? 0 : 1;
}
