// The isolated venv a runtime.yaml is locked in (`<yaml dir>/.starwhale/venv`, spec §3.2): made with the Python
// the YAML asks for, its dependencies installed by pip with the user's pip settings (PIP_FIND_LINKS, pip.conf,
// configs.pip, SW_PYPI_*), so an offline build works with a local wheel directory.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import type { RuntimeYaml } from "@swhub/shared/schemas";
import { parsePyvenvCfg, pythonVersionFromCfg } from "../python/venv";
import { findPython, type PythonCommand, sameMinor } from "./python";
import { lastWords, runTool } from "./run";
import type { BuildSettings, PypiSettings, RunHooks } from "./settings";

export const autoEnvDir = (workdir: string) => join(workdir, ".starwhale", "venv");

/** Reuses `<workdir>/.starwhale/venv` when it is a venv of the wanted Python, else (re)creates it. */
export async function ensureAutoVenv(
  workdir: string,
  xy: string | undefined,
  noCache: boolean,
  settings: BuildSettings,
  hooks: RunHooks,
): Promise<{ prefix: string; python: PythonCommand }> {
  const prefix = autoEnvDir(workdir);
  const python = await findPython(xy, settings.env);
  if (noCache) await rm(prefix, { recursive: true, force: true });
  const cfg = await readFile(join(prefix, "pyvenv.cfg"), "utf8").catch(() => undefined);
  const existing = cfg === undefined ? undefined : pythonVersionFromCfg(parsePyvenvCfg(cfg));
  const wanted = python.version.split(".").slice(0, 2).join(".");
  if (existing && sameMinor(existing, wanted)) return { prefix, python };
  if (cfg !== undefined) await rm(prefix, { recursive: true, force: true });
  hooks.progress?.log(`creating ${prefix} with Python ${python.version}`, "engine");
  // No pip inside: pip runs from the base Python with --python, which saves seconds per build.
  const made = await runTool(python.executable, ["-m", "venv", "--without-pip", prefix], {
    env: settings.env,
    ...hooks,
  });
  if (made.code !== 0) {
    await rm(prefix, { recursive: true, force: true });
    throw new AppError("internal", `${python.executable} -m venv ${prefix} failed: ${lastWords(made)}`);
  }
  return { prefix, python };
}

/** pip's index options: SW_PYPI_* first (spec §4.1), then `configs.pip`. */
export function pipIndexArgs(config: RuntimeYaml["configs"]["pip"], pypi: PypiSettings = {}): string[] {
  const words = (text?: string) => (text ?? "").split(/\s+/).filter(Boolean);
  const args: string[] = [];
  const extra = [...words(pypi.extraIndexUrl), ...config.extra_index_url];
  let index = config.index_url;
  if (pypi.indexUrl) {
    if (index && index !== pypi.indexUrl) extra.push(index);
    index = pypi.indexUrl;
  }
  if (index) args.push("--index-url", index);
  for (const url of new Set(extra)) args.push("--extra-index-url", url);
  for (const host of new Set([...words(pypi.trustedHost), ...config.trusted_host]))
    args.push("--trusted-host", host);
  args.push(`--timeout=${pypi.timeout ?? 90}`, `--retries=${pypi.retries ?? 10}`);
  return args;
}

/** What pip installs for runtime.yaml, in its order: packages, `-r` requirement files, wheels. */
export function pipTargets(yaml: RuntimeYaml, baseDir: string, hooks: RunHooks): string[] {
  const targets: string[] = [];
  for (const dep of yaml.dependencies) {
    if (dep.kind === "pip_pkg") targets.push(...dep.deps);
    else if (dep.kind === "pip_req_file") targets.push("-r", join(baseDir, dep.deps));
    else if (dep.kind === "wheel") targets.push(...dep.deps.map((wheel) => join(baseDir, wheel)));
    else if (dep.kind === "conda_pkg" || dep.kind === "conda_env_file")
      hooks.warn?.(
        `runtime.yaml is in venv mode: the conda dependency ${JSON.stringify(dep.deps)} is skipped`,
      );
  }
  return targets;
}

/** Installs runtime.yaml's pip dependencies into the venv, in one pip run. */
export async function installDependencies(
  venv: { prefix: string; python: PythonCommand },
  yaml: RuntimeYaml,
  baseDir: string,
  settings: BuildSettings,
  hooks: RunHooks,
): Promise<void> {
  const targets = pipTargets(yaml, baseDir, hooks);
  if (targets.length === 0) return;
  const items = targets.filter((target) => target !== "-r").length;
  hooks.progress?.phase("install", items, "items");
  const install = [
    "install",
    "--exists-action",
    "w",
    ...pipIndexArgs(yaml.configs.pip, settings.pypi),
    ...targets,
  ];
  const venvPython = join(venv.prefix, "bin", "python");
  const options = { env: settings.env, cwd: baseDir, ...hooks };
  let result = await runTool(
    venv.python.executable,
    ["-m", "pip", "--python", venvPython, ...install],
    options,
  );
  // A base Python without pip (or with a pip older than 22.3): put pip into the venv itself.
  if (
    result.code !== 0 &&
    result.tail.some((line) => /No module named pip|no such option: --python/.test(line))
  ) {
    const ensure = await runTool(venvPython, ["-m", "ensurepip", "--default-pip"], options);
    if (ensure.code !== 0)
      throw new AppError("internal", `cannot install pip into ${venv.prefix}: ${lastWords(ensure)}`);
    result = await runTool(venvPython, ["-m", "pip", ...install], options);
  }
  if (result.code !== 0) {
    throw new AppError(
      "invalid_input",
      `pip could not install the dependencies of runtime.yaml: ${lastWords(result)}`,
      "check the package names and your index settings (configs.pip, SW_PYPI_*, PIP_FIND_LINKS); pip's output is above",
    );
  }
  hooks.progress?.update(items, items);
}
