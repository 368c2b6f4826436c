import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AppError } from "@swhub/shared/errors";

/*
 * The conda commands of a conda-mode restore (spec §4.1). They need a conda binary: `CONDA_EXE` (set by
 * `conda init` shells) or `conda` on PATH.
 */

const execFileAsync = promisify(execFile);

/** The conda to run, checked by asking its version. */
export async function findConda(condaExe: string | undefined, env?: NodeJS.ProcessEnv): Promise<string> {
  const candidates = condaExe ? [condaExe, "conda"] : ["conda"];
  for (const candidate of candidates) {
    const ok = await execFileAsync(candidate, ["--version"], { env, timeout: 60_000 }).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  throw new AppError(
    "not_found",
    `this runtime uses conda, and no conda was found (${condaExe ? `CONDA_EXE=${condaExe} does not run, and ` : "CONDA_EXE is unset and "}conda is not on PATH)`,
    "install Miniconda or Miniforge, or set CONDA_EXE to its conda",
  );
}

export function condaCreateArgs(prefix: string, python: string | undefined): string[] {
  return ["create", "--yes", "--quiet", "--prefix", prefix, ...(python ? [`python=${python}`] : ["python"])];
}

export function condaInstallArgs(
  prefix: string,
  channels: readonly string[],
  packages: readonly string[],
): string[] {
  return [
    "install",
    "--prefix",
    prefix,
    ...channels.flatMap((channel) => ["--channel", channel]),
    "--yes",
    "--override-channels",
    ...packages,
  ];
}

export function condaEnvUpdateArgs(file: string, prefix: string): string[] {
  return ["env", "update", "--quiet", "--file", file, "--prefix", prefix];
}

/** pip inside the conda env: `conda run --live-stream --prefix P python3 -m pip …`. */
export function condaPipArgs(prefix: string, pipArgs: readonly string[]): string[] {
  return ["run", "--live-stream", "--prefix", prefix, "python3", "-m", "pip", ...pipArgs];
}
