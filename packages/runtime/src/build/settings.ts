// What a build needs to know about the machine and the user, handed in by the app (the engine never reads
// process.env): the environment for the processes it starts, the user's home, and Starwhale's SW_* settings.
import { access, constants } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import type { ProgressSink } from "@swhub/shared/progress";

export type EnvVars = Readonly<Record<string, string | undefined>>;

export interface PypiSettings {
  /** `SW_PYPI_INDEX_URL`: wins over `configs.pip.index_url` (which then becomes an extra index). */
  indexUrl?: string;
  /** `SW_PYPI_EXTRA_INDEX_URL`, space separated, put before `configs.pip.extra_index_url`. */
  extraIndexUrl?: string;
  /** `SW_PYPI_TRUSTED_HOST`, space separated, put before `configs.pip.trusted_host`. */
  trustedHost?: string;
  /** `SW_PYPI_TIMEOUT` seconds (default 90) and `SW_PYPI_RETRIES` (default 10). */
  timeout?: number;
  retries?: number;
}

export interface BuildSettings {
  /** The environment of the processes a build starts (pip, python, conda): PATH, PIP_*, HOME, ... */
  env: EnvVars;
  /** The user's home: `~/.condarc`, `~/.pip/pip.conf`. */
  home: string;
  /** This tool's version: `build.sw_version` in the manifest and the lock file's header. */
  toolVersion: string;
  /** `SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST`: the version id to use instead of a random one. */
  fixedVersion?: string;
  /** `SOURCE_DATE_EPOCH` in seconds: the bundle's mtimes and `created_at`, for reproducible bundles. */
  sourceDateEpoch?: number;
  pypi?: PypiSettings;
  /** `SW_IMAGE_REPO` and `SW_CUSTOM_BASE_IMAGE_VERSION`: the builtin run image recorded in the manifest. */
  imageRepo?: string;
  baseImageVersion?: string;
}

/** Callbacks and cancellation for a long operation. */
export interface RunHooks {
  progress?: ProgressSink;
  /** Something that did not stop the operation but that the user should hear about. */
  warn?: (text: string) => void;
  signal?: AbortSignal;
}

/** An executable by name on `PATH` (or the path itself when it has a slash), undefined when there is none. */
export async function findExecutable(name: string, env: EnvVars): Promise<string | undefined> {
  const candidates = name.includes("/")
    ? [name]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter((dir) => isAbsolute(dir))
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  return undefined;
}

/** The conda executable: `$CONDA_EXE`, else `conda` on PATH. */
export async function findConda(env: EnvVars): Promise<string | undefined> {
  if (env.CONDA_EXE) {
    const found = await findExecutable(env.CONDA_EXE, env);
    if (found) return found;
  }
  return findExecutable("conda", env);
}
