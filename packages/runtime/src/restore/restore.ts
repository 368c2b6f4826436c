import { lstat, mkdir, rm } from "node:fs/promises";
import { arch } from "node:os";
import { dirname, join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { packedEnvPath, readPackedEnvMeta, unpackEnv } from "../bundle/packed-env";
import { withFileLock } from "../fs/lock";
import { writeActivationFiles } from "./activation";
import { condaCreateArgs, findConda } from "./conda";
import { install } from "./install";
import type { PypiOverrides } from "./pip-options";
import { type InstallStep, type Mode, planInstall } from "./plan";
import { findPython } from "./python";
import { runLogged } from "./run";
import { envPrefix, readSnapshotManifest } from "./snapshot";
import { restoreReason, writeRestoreStatus } from "./status";
import { createVenvWithPip } from "./venv";

/** What the app knows about its environment; the engine reads none of it itself. */
export interface RestoreSettings {
  /** The environment of the commands restore runs (python, pip, conda); pip's own PIP_* settings apply. */
  env: NodeJS.ProcessEnv;
  /** `SW_PYPI_*`. */
  pypi?: PypiOverrides;
  /** `SW_CONTAINER=1`: inside a runtime container. */
  container?: boolean;
  /** `SW_RUNTIME_FORCE_RUN_COMMAND=1`: run `commands` outside a container too. */
  forceRunCommand?: boolean;
  /** `CONDA_EXE`. */
  condaExe?: string;
  /** `PYENV_ROOT`, where installed-but-not-selected Pythons are found. */
  pyenvRoot?: string;
  /** Where venv seeds are cached (see venv.ts); without it, every venv runs ensurepip. */
  cacheDir?: string;
  /** The directory relative native-file destinations in a container are taken from. */
  cwd?: string;
  /** The machine's architecture as Node names it; default `os.arch()`. */
  machineArch?: string;
}

export interface RestoreOptions {
  settings: RestoreSettings;
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** The runtime's URI, recorded in env.sw. */
  uri?: string;
  /** The prompt the venv shows when active (the runtime's name). */
  name?: string;
}

export interface RestoreResult {
  /** Whether anything was done (`ensureRestored` skips a usable environment). */
  restored: boolean;
  /** Why it was restored. */
  reason?: string;
  mode: Mode;
  prefix: string;
  /** Unpacked from the bundle's packed environment rather than installed. */
  packed: boolean;
  /** Dependencies left out, with the reason (conda entries of a venv runtime, commands outside a container). */
  skipped: string[];
}

/**
 * Restores the environment of the extracted runtime at `workdir` if it is missing, broken, or was left half made
 * (`force`: in any case). Concurrent callers wait for each other, and a waiter finds the work done.
 */
export async function ensureRestored(
  workdir: string,
  options: RestoreOptions & { force?: boolean },
): Promise<RestoreResult> {
  const manifest = await readSnapshotManifest(workdir);
  const mode = manifest.environment.mode;
  const prefix = envPrefix(workdir, mode);
  return withRestoreLock(prefix, options, async () => {
    const reason = options.force ? "asked to restore again" : await restoreReason(prefix, mode);
    if (!reason) return { restored: false, mode, prefix, packed: false, skipped: [] };
    return { ...(await restore(workdir, manifest, prepare(workdir, manifest, options), options)), reason };
  });
}

/** Restores the environment of the extracted runtime at `workdir` from scratch (`swcli runtime restore DIR`). */
export async function restoreRuntime(workdir: string, options: RestoreOptions): Promise<RestoreResult> {
  const manifest = await readSnapshotManifest(workdir);
  const prefix = envPrefix(workdir, manifest.environment.mode);
  const steps = prepare(workdir, manifest, options);
  return withRestoreLock(prefix, options, () => restore(workdir, manifest, steps, options));
}

async function withRestoreLock<T>(prefix: string, options: RestoreOptions, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(prefix), { recursive: true });
  const progress = options.progress ?? silentProgress;
  return withFileLock(`${prefix}.lock`, fn, {
    // Installs can take long; the lock breaks at once if its holder dies.
    timeoutMs: 24 * 3600_000,
    onWait: (pid) =>
      progress.log(`waiting for swcli (pid ${pid}), which is restoring this runtime`, "engine"),
  });
}

const archNames: Record<string, string> = {
  x64: "amd64",
  x86_64: "amd64",
  amd64: "amd64",
  arm64: "arm64",
  aarch64: "arm64",
};

function checkArch(expected: string | string[], machine: string): void {
  const wanted = (Array.isArray(expected) ? expected : [expected])
    .map((a) => a.toLowerCase())
    .filter(Boolean);
  if (wanted.length === 0 || wanted.includes("noarch")) return;
  const ours = archNames[machine] ?? machine;
  if (!wanted.some((a) => (archNames[a] ?? a) === ours)) {
    throw new AppError(
      "invalid_input",
      `the runtime is built for ${wanted.join(", ")}, and this machine is ${ours}`,
      "restore it on a machine of that architecture, or build it again with --arch noarch",
    );
  }
}

/** X.Y of the runtime's Python: `environment.python`, else the Python its lock was made with. */
function pythonOf(manifest: RuntimeManifest): string | undefined {
  const version = manifest.environment.python || manifest.environment.lock?.shell.python_version || "";
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/** What can be checked before anything is touched: the architecture, and every path the manifest names. */
function prepare(workdir: string, manifest: RuntimeManifest, options: RestoreOptions): InstallStep[] {
  const { settings } = options;
  checkArch(manifest.environment.arch, settings.machineArch ?? arch());
  return planInstall(manifest, {
    workdir,
    prefix: envPrefix(workdir, manifest.environment.mode),
    container: settings.container ?? false,
    runCommands: (settings.container ?? false) || (settings.forceRunCommand ?? false),
    cwd: settings.cwd,
  });
}

async function restore(
  workdir: string,
  manifest: RuntimeManifest,
  planned: InstallStep[],
  options: RestoreOptions,
) {
  const { settings } = options;
  const progress = options.progress ?? silentProgress;
  const mode = manifest.environment.mode;
  const prefix = envPrefix(workdir, mode);
  const xy = pythonOf(manifest);
  // A stray PYTHONPATH would make pip skip what it finds there instead of installing it.
  const env = { ...settings.env, PYTHONPATH: undefined, PYTHONHOME: undefined } as NodeJS.ProcessEnv;
  const packed = mode === "venv" && (await usablePackedEnv(workdir, manifest, progress));
  // A packed environment holds every package already; only files placed around it remain.
  const steps = packed ? planned.filter((step) => step.kind === "native-file") : planned;

  await rm(prefix, { recursive: true, force: true });
  let conda: string | undefined;
  try {
    if (packed) {
      await mkdir(prefix, { recursive: true });
      await writeRestoreStatus(prefix, "restoring");
      const archive = join(workdir, packedEnvPath);
      // `pythonX.Y` from PATH first: unpacking starts at once. Only when it is missing, look further (pyenv).
      await unpackEnv(archive, prefix, { force: true, progress }).catch(async (error) => {
        if (!(error instanceof AppError && error.code === "not_found" && /^Python /.test(error.message)))
          throw error;
        const python = await findPython(xy, { pyenvRoot: settings.pyenvRoot, env });
        await unpackEnv(archive, prefix, { force: true, python: python.executable, progress });
      });
      await writeRestoreStatus(prefix, "restoring");
    } else if (mode === "venv") {
      const python = await findPython(xy, { pyenvRoot: settings.pyenvRoot, env });
      progress.phase("create-venv");
      await mkdir(prefix, { recursive: true });
      await writeRestoreStatus(prefix, "restoring");
      await createVenvWithPip(python, prefix, { cacheDir: settings.cacheDir, prompt: options.name, env });
      progress.log(`created a venv with Python ${python.version} at ${prefix}`, "engine");
    } else {
      conda = await findConda(settings.condaExe, env);
      const condarc = join(workdir, "configs", "condarc");
      if (await exists(condarc)) env.CONDARC = condarc;
      progress.phase("create-env");
      await runLogged(conda, condaCreateArgs(prefix, xy), {
        env,
        progress,
        signal: options.signal,
        label: "conda create",
      });
      await writeRestoreStatus(prefix, "restoring");
    }
    const skipped = await install(steps, {
      workdir,
      prefix,
      mode,
      conda,
      env,
      manifest,
      progress,
      signal: options.signal,
      pypi: settings.pypi,
    });
    await writeActivationFiles(workdir, { mode, prefix, uri: options.uri ?? "" });
    await writeRestoreStatus(prefix, "success");
    return { restored: true, mode, prefix, packed, skipped };
  } catch (error) {
    if (await exists(prefix)) await writeRestoreStatus(prefix, "failed").catch(() => {});
    throw error;
  }
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * Whether the runtime's packed environment can be unpacked. One packed by Starwhale (venv-pack) cannot: the
 * restore then installs from the lock, as it would without one.
 */
async function usablePackedEnv(workdir: string, manifest: RuntimeManifest, progress: ProgressSink) {
  if (!manifest.dependencies.local_packaged_env) return false;
  const archive = join(workdir, packedEnvPath);
  if (!(await exists(archive))) {
    progress.log(
      `the runtime says it has a packed environment, but ${packedEnvPath} is missing; installing instead`,
      "engine",
    );
    return false;
  }
  // Ours starts with its metadata (format 2: after the directories above the venv); venv-pack's does not.
  const ours = await readPackedEnvMeta(archive).then(
    () => true,
    () => false,
  );
  if (ours) return true;
  progress.log(`${packedEnvPath} was not packed by swhub; installing the dependencies instead`, "engine");
  return false;
}
