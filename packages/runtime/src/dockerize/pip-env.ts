import { spawn } from "node:child_process";
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AppError, invalidInput } from "@swhub/shared/errors";
import type { ProgressSink } from "@swhub/shared/progress";
import { relocateText } from "../bundle/relocate";
import { formatPlatform, type Platform } from "../oci/types";
import { crossPlatformArgs, type HostPython } from "./host-python";
import type { InstallPlan } from "./install-plan";
import { imageEnvPrefix, imageWorkdir } from "./plan";
import { stagedEnv } from "./venv-layout";

/*
 * The environment made on this machine without running the image: `pip install --target` with the runtime's
 * requirements (for another machine or Python: binary wheels for that platform only), then laid out as a venv at
 * the image's env prefix. Bytecode is written only by the same Python X.Y, hash-checked, so it stays valid
 * whatever the files' times are in the image, and naming the files' paths in the image, so the layer is the same
 * on every run.
 */

export interface PipEnvOptions {
  host: HostPython;
  /** Python X.Y of the image. */
  python: string;
  platform: Platform;
  /** Only wheels for exactly `platform` (a runtime that is not noarch, or another machine than this one). */
  binaryOnly: boolean;
  indexArgs: string[];
  /** The environment pip runs in; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Newest glibc the image has, for manylinux tags; default 2.28. */
  glibc?: string;
  progress: ProgressSink;
  signal?: AbortSignal;
}

/** Installs the plan into `stage + imageEnvPrefix`, and copies native files to their places in `stage`. */
export async function stagePipEnv(
  plan: InstallPlan,
  bundleDir: string,
  stage: string,
  options: PipEnvOptions,
): Promise<void> {
  const env = stagedEnv(stage);
  const sitePackages = join(env, "lib", `python${options.python}`, "site-packages");
  await mkdir(join(env, "bin"), { recursive: true });
  await mkdir(sitePackages, { recursive: true });
  const requirements = [...plan.requirements];
  const pinsPip = requirements.some((r) => /^pip\s*([=<>!~]|$)/i.test(r));
  if (options.host.pipWheel && !pinsPip) requirements.push(options.host.pipWheel);

  const target = join(stage, ".pip-target");
  if (requirements.length > 0) {
    const sameInterpreter = options.host.version === options.python;
    const cross =
      options.binaryOnly || !sameInterpreter || options.host.arch !== options.platform.architecture;
    const args = [
      "-m",
      "pip",
      "install",
      "--target",
      target,
      "--no-warn-script-location",
      "--disable-pip-version-check",
      "--no-input",
      "--progress-bar",
      "off",
      "--no-compile",
      ...(cross ? crossPlatformArgs(options.platform, options.python, options.glibc) : []),
      ...options.indexArgs,
      ...requirements,
    ];
    const pip = await runPython(options.host.command, args, options, bundleDir);
    if (pip.code !== 0) throw pipFailure(pip.lines, options, cross);
    await arrange(target, env, sitePackages);
    await rm(target, { recursive: true, force: true });
    const imageSitePackages = `${imageEnvPrefix}/lib/python${options.python}/site-packages`;
    await relocateMetadata(sitePackages, [
      [bundleDir, imageWorkdir],
      [target, imageSitePackages],
    ]);
    if (sameInterpreter) {
      // Compiled here rather than by pip, so the code objects name their files where the image has them.
      const compile = ["-m", "compileall", "-q", "-j0", "--invalidation-mode", "checked-hash"];
      // Like pip, a file that does not compile (say, one meant for another Python) is left to be compiled on import.
      await runPython(
        options.host.command,
        [...compile, "-s", sitePackages, "-p", imageSitePackages, sitePackages],
        options,
        bundleDir,
      );
    }
  }
  for (const file of plan.nativeFiles) {
    const to = join(stage, file.dest);
    await mkdir(dirname(to), { recursive: true });
    await cp(file.src, to, { recursive: true }).catch(() => {
      throw invalidInput(`native file ${file.src.slice(bundleDir.length + 1)} is missing from the bundle`);
    });
  }
}

/** `--target` puts scripts in `bin/` and packages at the top: move them where a venv has them. */
async function arrange(target: string, env: string, sitePackages: string): Promise<void> {
  for (const name of await readdir(target)) {
    if (name === "bin") continue;
    await rename(join(target, name), join(sitePackages, name));
  }
  for (const name of await readdir(join(target, "bin")).catch(() => [])) {
    const from = join(target, "bin", name);
    const data = await readFile(from);
    await writeFile(join(env, "bin", name), pointScriptAtEnv(data), { mode: 0o755 });
  }
}

const envPython = `${imageEnvPrefix}/bin/python`;

/** pip wrote this machine's interpreter into console scripts; the image runs them with the env's. */
export function pointScriptAtEnv(data: Buffer): Buffer {
  if (data[0] !== 0x23 || data[1] !== 0x21) return data;
  const text = data.toString("utf8");
  const next = text
    .replace(/^#!\S*python[\w.]*(?=\s|$)/, `#!${envPython}`)
    .replace(/^('''exec' )"[^"\n]*python[\w.]*"/m, `$1"${envPython}"`);
  return next === text ? data : Buffer.from(next, "utf8");
}

/** `direct_url.json` and `.pth` files name where things were on this machine: say where they are in the image. */
async function relocateMetadata(sitePackages: string, moves: [string, string][]): Promise<void> {
  for (const name of await readdir(sitePackages)) {
    const path = name.endsWith(".dist-info")
      ? join(sitePackages, name, "direct_url.json")
      : join(sitePackages, name);
    if (!name.endsWith(".dist-info") && !name.endsWith(".pth")) continue;
    const data = await readFile(path).catch(() => undefined);
    if (!data) continue;
    // relocateText knows both kinds by their names; direct_url.json gets its file URLs percent-encoded.
    const kind = name.endsWith(".pth") ? name : "x.dist-info/direct_url.json";
    let out: Buffer = data;
    for (const [from, to] of moves) out = relocateText(kind, out, [from], to);
    if (out !== data) await writeFile(path, out);
  }
}

async function runPython(
  python: string,
  args: string[],
  options: PipEnvOptions,
  cwd: string,
): Promise<{ code: number | null; lines: string[] }> {
  const { progress } = options;
  const env = { ...(options.env ?? process.env), PYTHONNOUSERSITE: "1", PIP_ROOT_USER_ACTION: "ignore" };
  const lines: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(python, args, {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    const forward = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        lines.push(line);
        progress.log(line, stream);
      }
    };
    child.stdout.on("data", forward("stdout"));
    child.stderr.on("data", forward("stderr"));
    child.on("error", reject);
    child.on("close", resolve);
  });
  return { code, lines };
}

function pipFailure(lines: string[], options: PipEnvOptions, cross: boolean): AppError {
  const where = `${formatPlatform(options.platform)}, Python ${options.python}`;
  const missing = lines.map((l) => /No matching distribution found for (.+)$/.exec(l)?.[1]).find(Boolean);
  if (missing) {
    return invalidInput(
      `cannot build the environment for ${where}: no ${cross ? "wheel" : "distribution"} of ${missing.trim()} fits it`,
      cross
        ? `add a wheel of it for ${formatPlatform(options.platform)} to the package index, or dockerize for another platform`
        : "check the runtime's pip index settings (configs.pip, SW_PYPI_INDEX_URL)",
    );
  }
  const error = [...lines].reverse().find((l) => l.startsWith("ERROR:")) ?? lines.at(-1) ?? "no output";
  return new AppError(
    "internal",
    `pip could not install the runtime's packages for ${where}: ${error.replace(/^ERROR:\s*/, "")}`,
  );
}
