// Which Python a build uses: `pythonX.Y` on PATH for the version runtime.yaml asks for, else `python3`.
import { invalidInput, notFound } from "@swhub/shared/errors";
import { runTool } from "./run";
import { type EnvVars, findExecutable } from "./settings";

export interface PythonCommand {
  executable: string;
  /** X.Y.Z */
  version: string;
}

const cache = new Map<string, Promise<string>>();

/** X.Y.Z of an interpreter (asked once per process). */
export function interpreterVersion(executable: string, env: EnvVars): Promise<string> {
  let version = cache.get(executable);
  if (!version) {
    version = runTool(executable, ["-c", "import platform; print(platform.python_version())"], {
      env,
      capture: true,
    }).then((result) => {
      const text = result.stdout.trim();
      if (result.code !== 0 || !/^\d+\.\d+\.\d+/.test(text)) {
        throw invalidInput(`${executable} does not run as a Python interpreter: ${result.tail.at(-1) ?? ""}`);
      }
      return text;
    });
    cache.set(executable, version);
  }
  return version;
}

/**
 * `pythonX.Y` from PATH when runtime.yaml names X.Y, else `python3`. A missing one is an error that names it.
 */
export async function findPython(xy: string | undefined, env: EnvVars): Promise<PythonCommand> {
  const command = xy ? `python${xy}` : "python3";
  const executable = await findExecutable(command, env);
  if (!executable) {
    throw notFound(
      xy
        ? `Python ${xy} is not installed: ${command} was not found on PATH`
        : "no Python found: python3 is not on PATH",
      xy
        ? `install Python ${xy}, or set environment.python in runtime.yaml to an installed version`
        : "install Python 3, or set environment.python in runtime.yaml",
    );
  }
  const version = await interpreterVersion(executable, env);
  if (xy && !sameMinor(version, xy)) {
    throw invalidInput(`${executable} is Python ${version}, not ${xy}`, `fix ${command} on your PATH`);
  }
  return { executable, version };
}

export function sameMinor(version: string, xy: string): boolean {
  return version === xy || version.startsWith(`${xy}.`);
}
