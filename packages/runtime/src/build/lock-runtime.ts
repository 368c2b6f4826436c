// `swcli runtime lock` (spec §3.2): lock runtime.yaml's isolated env, or an env the user names, into
// `<target>/.starwhale/lock/requirements-sw-lock.txt` (venv) or `conda-sw-lock.yaml` (conda).
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { LOCK_DIR, parseRuntimeYaml, type RuntimeYaml } from "@swhub/shared/schemas";
import { writeFileAtomic } from "../fs/atomic";
import { type LockedEnv, type LockPhaseOptions, lockTarget } from "./lock-phase";
import type { BuildSettings, RunHooks } from "./settings";
import { activeShellEnv, findCondaEnv, type LockTarget } from "./sources";

export type LockEnvSelector =
  | { kind: "auto" }
  | { kind: "conda-name"; name: string }
  | { kind: "prefix"; path: string }
  | { kind: "shell" };

export interface LockRuntimeOptions extends RunHooks, LockPhaseOptions {
  cwd: string;
  /** The lock goes to `<targetDir>/.starwhale/lock/`; the isolated env to `<targetDir>/.starwhale/venv`. */
  targetDir: string;
  /** Default `<targetDir>/runtime.yaml`. Needed for the isolated env; optional when an env is named. */
  yamlPath?: string;
  env: LockEnvSelector;
  /** Write the lock file (false: `--stdout`, only return it). */
  write: boolean;
  settings: BuildSettings;
}

export interface LockedRuntime extends LockedEnv {
  /** Where the lock file was written, unless only printed. */
  path?: string;
}

export async function lockRuntime(options: LockRuntimeOptions): Promise<LockedRuntime> {
  const targetDir = resolve(options.cwd, options.targetDir);
  const hooks: RunHooks = { progress: options.progress, warn: options.warn, signal: options.signal };
  const yamlPath = options.yamlPath
    ? resolve(options.cwd, options.yamlPath)
    : join(targetDir, "runtime.yaml");
  const yaml = await loadYaml(yamlPath, options.env.kind === "auto" || options.yamlPath !== undefined);
  const target = await selectTarget(options.env, targetDir, options.cwd, options.settings, hooks);
  const locked = await lockTarget(
    target,
    yaml ?? parseRuntimeYaml(`name: lock\nmode: ${target.kind === "env" ? target.mode : "venv"}\n`),
    yaml ? dirname(yamlPath) : targetDir,
    options,
    options.settings,
    hooks,
  );
  if (!locked) throw invalidInput("nothing to lock");
  if (!options.write) return locked;
  const path = join(targetDir, LOCK_DIR, locked.lockFileName);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, locked.content);
  return { ...locked, path };
}

async function loadYaml(path: string, required: boolean): Promise<RuntimeYaml | undefined> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw invalidInput(`cannot read ${path}: ${error.message}`);
    if (!required) return undefined;
    throw notFound(
      `${path} does not exist`,
      "pass the runtime.yaml with -f, or name an environment with -p or -s",
    );
  });
  return text === undefined ? undefined : parseRuntimeYaml(text, path);
}

async function selectTarget(
  selector: LockEnvSelector,
  targetDir: string,
  cwd: string,
  settings: BuildSettings,
  hooks: RunHooks,
): Promise<LockTarget> {
  switch (selector.kind) {
    case "auto":
      return { kind: "auto", workdir: targetDir };
    case "conda-name":
      return {
        kind: "env",
        mode: "conda",
        prefix: await findCondaEnv(selector.name, settings, hooks),
        envName: selector.name,
        useShell: false,
      };
    case "shell": {
      const shell = activeShellEnv(settings);
      return {
        kind: "env",
        mode: shell.kind,
        prefix: resolve(cwd, shell.prefix),
        envName: "",
        useShell: true,
      };
    }
    case "prefix": {
      const prefix = resolve(cwd, selector.path);
      const [venv, conda] = await Promise.all([
        isFile(join(prefix, "pyvenv.cfg")),
        isDir(join(prefix, "conda-meta")),
      ]);
      if (!venv && !conda) {
        throw invalidInput(
          `${selector.path} is neither a venv (no pyvenv.cfg) nor a conda prefix (no conda-meta/)`,
          "pass the directory of a venv or a conda env",
        );
      }
      return { kind: "env", mode: venv ? "venv" : "conda", prefix, envName: "", useShell: false };
    }
  }
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
const isDir = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
