// The build sources of `swcli runtime build` (spec §3.1): each becomes a plan — the runtime.yaml to store, the
// runtime's name, and what to lock. Environment sources are read as they are; nothing is installed into them.
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { AppError, invalidInput, notFound } from "@swhub/shared/errors";
import { runtimeNameProblem } from "@swhub/shared/names";
import { DEFAULT_OS, parseRuntimeYaml, type RuntimeYaml } from "@swhub/shared/schemas";
import { inspectCondaPrefix } from "../python/conda";
import { detectShellEnv, inspectVenv } from "../python/venv";
import { dockerRuntimeName } from "./images";
import { findPython } from "./python";
import { lastWords, runTool } from "./run";
import { type BuildSettings, findConda, type RunHooks } from "./settings";
import { dumpStarwhaleYaml } from "./starwhale-format";

export type BuildSource =
  | { kind: "yaml"; path: string }
  | { kind: "conda"; name: string }
  | { kind: "conda-prefix"; path: string }
  | { kind: "venv"; path: string }
  | { kind: "shell" }
  | { kind: "docker"; image: string };

/** What the lock phase locks: nothing, the isolated env next to runtime.yaml, or the user's own env. */
export type LockTarget =
  | { kind: "none" }
  | { kind: "auto"; workdir: string }
  | { kind: "env"; mode: "venv" | "conda"; prefix: string; envName: string; useShell: boolean };

export interface BuildPlan {
  /** The storage name (`--name`, else the source's). */
  name: string;
  yaml: RuntimeYaml;
  /** runtime.yaml as stored in the bundle: the user's file byte for byte, or the one generated. */
  yamlText: string;
  /** Where runtime.yaml's relative paths resolve. */
  baseDir: string;
  lock: LockTarget;
  /** `docker.custom_run_image`: the YAML's `environment.docker.image`, pinned for `--docker`. */
  customImage: string;
}

export interface EnvSourceOptions {
  cuda?: string;
  cudnn?: string;
  arch?: string;
  /** Skip the lock (`-del`; YAML builds only). */
  disableEnvLock?: boolean;
}

export async function planBuild(
  source: BuildSource,
  cwd: string,
  name: string | undefined,
  options: EnvSourceOptions,
  settings: BuildSettings,
  hooks: RunHooks = {},
): Promise<BuildPlan> {
  switch (source.kind) {
    case "yaml":
      return planYaml(resolve(cwd, source.path), name, options.disableEnvLock ?? false);
    case "venv": {
      const venv = await inspectVenv(resolve(cwd, source.path));
      return planEnv("venv", venv.prefix, venv.pythonVersion, name ?? basename(venv.prefix), options, {
        envName: "",
        useShell: false,
      });
    }
    case "conda-prefix": {
      const prefix = resolve(cwd, source.path);
      return planEnv("conda", prefix, await condaPython(prefix), name ?? basename(prefix), options, {
        envName: "",
        useShell: false,
      });
    }
    case "conda": {
      const prefix = await findCondaEnv(source.name, settings, hooks);
      return planEnv("conda", prefix, await condaPython(prefix), name ?? source.name, options, {
        envName: source.name,
        useShell: false,
      });
    }
    case "shell": {
      const shell = activeShellEnv(settings);
      const prefix = resolve(cwd, shell.prefix);
      const python =
        shell.kind === "venv" ? (await inspectVenv(prefix)).pythonVersion : await condaPython(prefix);
      return planEnv(shell.kind, prefix, python, name ?? shell.name, options, {
        envName: "",
        useShell: true,
      });
    }
    case "docker":
      return planDocker(source.image, name, settings, hooks);
  }
}

async function planYaml(path: string, name: string | undefined, disableLock: boolean): Promise<BuildPlan> {
  if (!/\.ya?ml$/.test(path)) {
    throw invalidInput(
      `${path} is not a YAML file`,
      "pass runtime.yaml (or another .yaml/.yml file) with -y",
    );
  }
  const yamlText = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw notFound(
        `${path} does not exist`,
        "write a runtime.yaml there, pass one with -y, or build from an environment (-v, -cp, -c, -s, -d)",
      );
    }
    throw invalidInput(`cannot read ${path}: ${error.message}`);
  });
  const yaml = parseRuntimeYaml(yamlText, path);
  if (name !== undefined) checkName(name);
  const baseDir = dirname(path);
  return {
    name: name ?? yaml.name,
    yaml,
    yamlText,
    baseDir,
    lock: disableLock ? { kind: "none" } : { kind: "auto", workdir: baseDir },
    customImage: yaml.environment.docker.image,
  };
}

/** The YAML Starwhale generates for an environment (spec §3.1 step 3), without the starwhale package. */
function planEnv(
  mode: "venv" | "conda",
  prefix: string,
  pythonVersion: string,
  name: string,
  options: EnvSourceOptions,
  lock: { envName: string; useShell: boolean },
): BuildPlan {
  checkName(name);
  const yamlText = dumpStarwhaleYaml({
    api_version: "1.1",
    dependencies: [],
    environment: {
      arch: options.arch ?? "noarch",
      cuda: options.cuda ?? "",
      cudnn: options.cudnn ?? "",
      os: DEFAULT_OS,
      python: pythonVersion,
    },
    mode,
    name,
  });
  const yaml = parseRuntimeYaml(yamlText, `the runtime.yaml generated for ${prefix}`);
  return {
    name,
    yaml,
    yamlText,
    baseDir: prefix,
    lock: { kind: "env", mode, prefix, ...lock },
    customImage: "",
  };
}

async function condaPython(prefix: string): Promise<string> {
  const info = await inspectCondaPrefix(prefix);
  if (!info.pythonVersion) {
    throw invalidInput(
      `${prefix} has no python package`,
      "install one: conda install --prefix PREFIX python",
    );
  }
  return info.pythonVersion;
}

/** The prefix of a named conda env, as conda itself reports it. */
export async function findCondaEnv(name: string, settings: BuildSettings, hooks: RunHooks): Promise<string> {
  const conda = await findConda(settings.env);
  if (!conda) {
    throw notFound(
      `cannot find the conda env "${name}": conda is not installed (no $CONDA_EXE, no conda on PATH)`,
      "pass the env's directory with --conda-prefix PATH instead",
    );
  }
  const result = await runTool(conda, ["info", "--json"], { env: settings.env, capture: true, ...hooks });
  if (result.code !== 0) throw new AppError("internal", `${conda} info --json failed: ${lastWords(result)}`);
  let info: { envs?: unknown; root_prefix?: unknown };
  try {
    info = JSON.parse(result.stdout) as typeof info;
  } catch {
    throw new AppError("internal", `${conda} info --json printed something that is not JSON`);
  }
  const envs = Array.isArray(info.envs) ? info.envs.filter((e): e is string => typeof e === "string") : [];
  const root = typeof info.root_prefix === "string" ? info.root_prefix : undefined;
  const prefix = name === "base" ? root : envs.find((env) => env !== root && basename(env) === name);
  if (!prefix) {
    throw notFound(`conda has no env named "${name}"`, "list them with: conda env list");
  }
  return prefix;
}

async function planDocker(
  image: string,
  name: string | undefined,
  settings: BuildSettings,
  hooks: RunHooks,
): Promise<BuildPlan> {
  const runtimeName = name ?? dockerRuntimeName(image);
  checkName(runtimeName);
  hooks.progress?.log(`resolving ${image}`, "engine");
  const { pinImage } = await import("./pin-image");
  const pinned = await pinImage(image, settings.env);
  if (!pinned.pinned)
    hooks.warn?.(`could not resolve ${image} to a digest (${pinned.reason}); recording the tag`);
  // Starwhale records the Python of the swcli that built it; ours is the python3 on PATH, if any.
  const python = await findPython(undefined, settings.env).then(
    (p) => p.version,
    () => undefined,
  );
  const yamlText = dumpStarwhaleYaml({
    api_version: "1.1",
    environment: { docker: { image: pinned.image }, ...(python ? { python } : {}) },
    mode: "venv",
    name: runtimeName,
  });
  const yaml = parseRuntimeYaml(yamlText, `the runtime.yaml generated for ${image}`);
  return {
    name: runtimeName,
    yaml,
    yamlText,
    baseDir: "",
    lock: { kind: "none" },
    customImage: pinned.image,
  };
}

function checkName(name: string): void {
  const problem = runtimeNameProblem(name);
  if (problem) throw invalidInput(problem, "choose the runtime's name with --name NAME");
}

/** The env active in the user's shell: `VIRTUAL_ENV`, or `CONDA_PREFIX` (named by `CONDA_DEFAULT_ENV` or its directory). */
export function activeShellEnv(settings: BuildSettings) {
  const env = { ...settings.env };
  if (env.CONDA_PREFIX && !env.CONDA_DEFAULT_ENV) env.CONDA_DEFAULT_ENV = basename(env.CONDA_PREFIX);
  return detectShellEnv(env as NodeJS.ProcessEnv);
}
