import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppError } from "@swhub/shared/errors";

/*
 * The interpreter a runtime's environment is made with: Python X.Y as the runtime records it, any X.Y that is
 * installed (DESIGN.md difference 7). Looked for as `pythonX.Y` on PATH, then among pyenv's versions (whose shims
 * answer "command not found" for versions that are installed but not selected), then as `python3`.
 */

export interface FoundPython {
  /** The real executable (`sys.executable`), not a shim. */
  executable: string;
  /** X.Y.Z */
  version: string;
}

export interface FindPythonOptions {
  /** `$PYENV_ROOT` (default `~/.pyenv`, given by the app). */
  pyenvRoot?: string;
  /** The environment the probes run with (default: inherited). */
  env?: NodeJS.ProcessEnv;
}

const probeScript = "import sys, platform; print(sys.executable); print(platform.python_version())";
const execFileAsync = promisify(execFile);

async function probe(command: string, env?: NodeJS.ProcessEnv): Promise<FoundPython | undefined> {
  try {
    const { stdout } = await execFileAsync(command, ["-c", probeScript], { env, timeout: 30_000 });
    const [executable = "", version = ""] = stdout.trim().split("\n");
    return executable && version ? { executable: executable.trim(), version: version.trim() } : undefined;
  } catch {
    // Missing, a shim for a version that is not selected (exit 127), or broken: not usable.
    return undefined;
  }
}

const xyOf = (version: string) => version.split(".").slice(0, 2).join(".");

/** Versions under `<pyenvRoot>/versions` that are X.Y, newest patch first. */
async function pyenvCandidates(root: string, xy: string): Promise<string[]> {
  const names = await readdir(join(root, "versions")).catch(() => [] as string[]);
  const patch = (name: string) => Number(name.slice(xy.length + 1).split(/\D/)[0] ?? -1);
  return names
    .filter((name) => name.startsWith(`${xy}.`) && /^\d+/.test(name.slice(xy.length + 1)))
    .sort((a, b) => patch(b) - patch(a))
    .map((name) => join(root, "versions", name, "bin", `python${xy}`));
}

/**
 * Finds Python `xy` ("3.11"; a full "3.11.7" counts as its X.Y). Without `xy`, `python3`. Throws one AppError
 * naming the missing version.
 */
export async function findPython(
  xy: string | undefined,
  options: FindPythonOptions = {},
): Promise<FoundPython> {
  const wanted = xy ? xyOf(xy) : undefined;
  const candidates = wanted
    ? [
        `python${wanted}`,
        ...(options.pyenvRoot ? await pyenvCandidates(options.pyenvRoot, wanted) : []),
        "python3",
      ]
    : ["python3"];
  for (const candidate of candidates) {
    const found = await probe(candidate, options.env);
    if (found && (!wanted || xyOf(found.version) === wanted)) return found;
  }
  const what = wanted ? `Python ${wanted}` : "python3";
  throw new AppError(
    "not_found",
    `${what} is not installed: the runtime's environment needs it (looked for ${candidates.join(", ")})`,
    wanted ? `install Python ${wanted} (for example \`pyenv install ${wanted}\`), then try again` : undefined,
  );
}
