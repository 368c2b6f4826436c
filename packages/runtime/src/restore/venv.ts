import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppError } from "@swhub/shared/errors";
import { isCode, releaseTemp, tempSiblingPath } from "../fs/atomic";
import type { FoundPython } from "./python";

/*
 * A new venv with pip in it. `python -m venv` runs ensurepip, which installs pip and setuptools from the wheels
 * Python ships and compiles them: about 8 s, on every restore. Instead, the first restore with a given interpreter
 * keeps such a venv as a seed (under the store's cache), and later ones make a bare venv (`--without-pip`, 0.2 s)
 * and link the seed's site-packages into it, as virtualenv's app-data seeder can. The result is the venv
 * ensurepip would have made, in a fraction of a second.
 *
 * The files are hard links (a copy where the file system can't link), so a restore writes no data for them. pip
 * and Python never change an installed file in place (they unlink and rename), so the envs stay independent; the
 * seed's files are read-only so that an editor can't change them in every env at once either.
 */

const execFileAsync = promisify(execFile);
const seedMarker = ".swhub-seed";

export interface CreateVenvOptions {
  /** Where seeds are kept; without it every venv runs ensurepip. */
  cacheDir?: string;
  /** The prompt `bin/activate` shows (default: the directory name). */
  prompt?: string;
  env?: NodeJS.ProcessEnv;
}

const xyOf = (python: FoundPython) => python.version.split(".").slice(0, 2).join(".");

async function runVenv(python: FoundPython, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  try {
    await execFileAsync(python.executable, ["-m", "venv", ...args], { env, maxBuffer: 16 << 20 });
  } catch (error) {
    const stderr = ((error as { stderr?: string }).stderr ?? "").trim();
    const detail = stderr.split("\n").filter(Boolean).pop() ?? (error as Error).message;
    throw new AppError(
      "internal",
      `${python.executable} -m venv failed: ${detail}`,
      /ensurepip|venv/.test(stderr)
        ? `install the venv module of Python ${xyOf(python)} (on Debian: apt-get install python${xyOf(python)}-venv)`
        : undefined,
    );
  }
}

/** Creates the venv at `prefix` (which may exist and hold other files) with pip installed. */
export async function createVenvWithPip(
  python: FoundPython,
  prefix: string,
  options: CreateVenvOptions = {},
): Promise<void> {
  const prompt = options.prompt ? ["--prompt", options.prompt] : [];
  if (!options.cacheDir) {
    await runVenv(python, [...prompt, prefix], options.env);
    return;
  }
  const seed = await ensureSeed(python, options.cacheDir, options.env);
  await runVenv(python, ["--without-pip", ...prompt, prefix], options.env);
  const site = join("lib", `python${xyOf(python)}`, "site-packages");
  await mkdir(join(prefix, site), { recursive: true });
  // cp keeps the mtimes the .pyc files are validated against, and is far faster than fs.cp on many files.
  const from = `${join(seed, site)}/.`;
  await execFileAsync("cp", ["-al", from, join(prefix, site)]).catch(() =>
    execFileAsync("cp", ["-a", "--remove-destination", from, join(prefix, site)]),
  );
  const origin = await readFile(join(seed, seedMarker), "utf8");
  for (const name of await readdir(join(seed, "bin"))) {
    if (!/^pip/.test(name)) continue;
    const text = await readFile(join(seed, "bin", name), "utf8");
    const launcher = join(prefix, "bin", name);
    await writeFile(launcher, text.replaceAll(origin, prefix));
    await chmod(launcher, 0o755);
  }
}

/** The seed venv for this interpreter, made once (concurrent makers race to rename; the loser uses the winner's). */
async function ensureSeed(python: FoundPython, cacheDir: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const key = createHash("sha256")
    .update(`${python.executable}\0${python.version}`)
    .digest("hex")
    .slice(0, 16);
  const seed = join(cacheDir, `venv-seed-${python.version}-${key}`);
  if (await stat(join(seed, seedMarker)).catch(() => undefined)) return seed;
  await mkdir(cacheDir, { recursive: true });
  const building = tempSiblingPath(seed);
  try {
    await runVenv(python, [building], env);
    await execFileAsync("find", [join(building, "lib"), "-type", "f", "-exec", "chmod", "a-w", "{}", "+"]);
    await writeFile(join(building, seedMarker), building);
    await rename(building, seed).catch(async (error) => {
      if (!isCode(error, "ENOTEMPTY", "EEXIST")) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
    releaseTemp(building);
  }
  return seed;
}
