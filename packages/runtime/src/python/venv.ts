// Virtual environments: validate a prefix, find its interpreter, Python version and site-packages without
// running Python, and tell which environment the user's shell has active.
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import { AppError, invalidInput } from "@swhub/shared/errors";
import { findBasePrefix, interpreterSysPath, prefixSysPath, sitePackagesDirs, stdlibPath } from "./sys-path";

export interface VenvInfo {
  prefix: string;
  /** `<prefix>/bin/python`. */
  python: string;
  /** X.Y.Z */
  pythonVersion: string;
  /** pyvenv.cfg `home`: the directory of the base interpreter. */
  home?: string;
  includeSystemSitePackages: boolean;
  sitePackages: string[];
  /** pyvenv.cfg as key → value (keys lower case). */
  config: Record<string, string>;
}

/** pyvenv.cfg: `key = value` lines, keys compared in lower case, as `site.venv()` reads it. */
export function parsePyvenvCfg(text: string): Record<string, string> {
  const config: Record<string, string> = {};
  for (const line of text.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    config[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return config;
}

const fullVersion = /^(\d+)\.(\d+)\.(\d+)/;

/** X.Y.Z from pyvenv.cfg: `version` (venv, uv) or `version_info` (virtualenv, uv). */
export function pythonVersionFromCfg(config: Record<string, string>): string | undefined {
  for (const key of ["version", "version_info"]) {
    const match = fullVersion.exec(config[key] ?? "");
    if (match) return `${match[1]}.${match[2]}.${match[3]}`;
  }
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Asks the interpreter; only for venvs whose pyvenv.cfg does not record the version. */
async function interpreterVersion(python: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(
      python,
      ["-c", "import platform; print(platform.python_version())"],
      {
        timeout: 30_000,
      },
    );
    return stdout.trim();
  } catch (error) {
    throw new AppError(
      "internal",
      `could not run ${python} to read its version: ${(error as Error).message}`,
    );
  }
}

/** Validates a venv prefix and describes it. Throws an AppError naming the prefix when it is not a venv. */
export async function inspectVenv(prefix: string): Promise<VenvInfo> {
  const root = resolve(prefix);
  let text: string;
  try {
    text = await readFile(join(root, "pyvenv.cfg"), "utf8");
  } catch {
    throw invalidInput(
      `${prefix} is not a venv: pyvenv.cfg not found`,
      "pass the directory created by `python3 -m venv` (it holds pyvenv.cfg and bin/python)",
    );
  }
  const config = parsePyvenvCfg(text);
  const python = join(root, "bin", "python");
  let pythonVersion = pythonVersionFromCfg(config);
  if (!pythonVersion) {
    if (!(await isFile(python))) throw invalidInput(`${prefix} is not a venv: bin/python not found`);
    pythonVersion = await interpreterVersion(python);
  }
  const xy = pythonVersion.split(".").slice(0, 2).join(".");
  const info: VenvInfo = {
    prefix: root,
    python,
    pythonVersion,
    includeSystemSitePackages: (config["include-system-site-packages"] ?? "").toLowerCase() === "true",
    sitePackages: await sitePackagesDirs(root, xy),
    config,
  };
  if (config.home) info.home = config.home;
  return info;
}

/** The sys.path pip sees in this venv (its working directory and PYTHONPATH aside). */
export async function venvSysPath(venv: VenvInfo): Promise<string[]> {
  if (venv.includeSystemSitePackages) return interpreterSysPath(venv.python);
  const xy = venv.pythonVersion.split(".").slice(0, 2).join(".");
  const base = venv.home ? await findBasePrefix(venv.home, xy) : undefined;
  return prefixSysPath(base ? stdlibPath(base, xy) : [], venv.sitePackages);
}

export type ShellEnv =
  | { kind: "venv"; prefix: string; name: string }
  | { kind: "conda"; prefix: string; name: string };

/**
 * The environment active in the user's shell (`swcli runtime build --shell`): a venv via `VIRTUAL_ENV`, a conda env
 * via `CONDA_PREFIX` with `CONDA_DEFAULT_ENV`. Both at once, or neither, is an error the user has to resolve.
 */
export function detectShellEnv(env: NodeJS.ProcessEnv = process.env): ShellEnv {
  const venv = env.VIRTUAL_ENV?.trim();
  const condaPrefix = env.CONDA_PREFIX?.trim();
  const condaName = env.CONDA_DEFAULT_ENV?.trim();
  const conda = condaPrefix && condaName ? { prefix: condaPrefix, name: condaName } : undefined;
  if (venv && conda) {
    throw invalidInput(
      `both a venv (${venv}) and a conda env (${conda.prefix}) are active in this shell`,
      "deactivate one of them, or pass --venv PATH or --conda-prefix PATH",
    );
  }
  if (venv) return { kind: "venv", prefix: venv, name: basename(resolve(venv)) };
  if (conda) return { kind: "conda", prefix: conda.prefix, name: conda.name };
  throw invalidInput(
    "no venv or conda env is active in this shell (VIRTUAL_ENV and CONDA_PREFIX are unset): the system Python is not supported",
    "activate one (`source ENV/bin/activate` or `conda activate NAME`), or pass --venv PATH or --conda-prefix PATH",
  );
}
