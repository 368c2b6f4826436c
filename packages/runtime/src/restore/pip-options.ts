/*
 * The index options of every `pip install` that restore (and a dockerized image) runs, with Starwhale's precedence
 * (client/starwhale/utils/venv.py, `_do_pip_install_req`):
 * - `SW_PYPI_INDEX_URL` wins over the runtime's `configs.pip.index_url`, which then becomes an extra index;
 * - `SW_PYPI_EXTRA_INDEX_URL` and `SW_PYPI_TRUSTED_HOST` come before the runtime's own lists;
 * - `SW_PYPI_TIMEOUT` and `SW_PYPI_RETRIES` default to 90 seconds and 10 retries.
 * Starwhale passes several extra indexes as one space-joined argument, which pip reads as one URL; we pass one
 * option per value. pip's own settings (`PIP_FIND_LINKS`, `PIP_NO_INDEX`, pip.conf) still apply: nothing here
 * turns them off, which is how offline restores work.
 */

/** `configs.pip` of a runtime manifest: Starwhale writes strings or lists, often `[""]`. */
export interface ManifestPipConfig {
  index_url?: string;
  extra_index_url?: string | string[];
  trusted_host?: string | string[];
}

/** The `SW_PYPI_*` settings, read by the app (never here) and passed in. */
export interface PypiOverrides {
  indexUrl?: string;
  /** Space-separated, as in the environment variable. */
  extraIndexUrl?: string;
  /** Space-separated. */
  trustedHost?: string;
  timeout?: number;
  retries?: number;
}

export interface PipIndex {
  indexUrl?: string;
  extraIndexUrls: string[];
  trustedHosts: string[];
  timeout: number;
  retries: number;
}

export const defaultPipTimeout = 90;
export const defaultPipRetries = 10;

/** Splits list-or-string values on whitespace and drops blanks (Starwhale's `[""]` included). */
function words(...values: (string | string[] | undefined)[]): string[] {
  return values
    .flatMap((value) => (Array.isArray(value) ? value : [value ?? ""]))
    .flatMap((value) => value.split(/\s+/))
    .filter((value) => value !== "");
}

const unique = (values: string[]) => [...new Set(values)];

/** The effective index settings for a runtime's `configs.pip` under the `SW_PYPI_*` overrides. */
export function resolvePipIndex(config: ManifestPipConfig = {}, overrides: PypiOverrides = {}): PipIndex {
  const configIndex = (config.index_url ?? "").trim();
  const envIndex = (overrides.indexUrl ?? "").trim();
  const extra = words(overrides.extraIndexUrl, config.extra_index_url);
  if (envIndex && configIndex) extra.push(configIndex);
  const index = envIndex || configIndex;
  return {
    ...(index ? { indexUrl: index } : {}),
    extraIndexUrls: unique(extra).filter((url) => url !== index),
    trustedHosts: unique(words(overrides.trustedHost, config.trusted_host)),
    timeout: overrides.timeout ?? defaultPipTimeout,
    retries: overrides.retries ?? defaultPipRetries,
  };
}

/** `--index-url I --extra-index-url A --extra-index-url B --trusted-host H --timeout=90 --retries=10`. */
export function pipIndexArgs(index: PipIndex): string[] {
  const args: string[] = [];
  if (index.indexUrl) args.push("--index-url", index.indexUrl);
  for (const url of index.extraIndexUrls) args.push("--extra-index-url", url);
  for (const host of index.trustedHosts) args.push("--trusted-host", host);
  args.push(`--timeout=${index.timeout}`, `--retries=${index.retries}`);
  return args;
}

/** What one pip call installs: requirement specs, wheel files, or requirements files (`-r`). */
export type PipTarget =
  | { kind: "requirement"; spec: string }
  | { kind: "wheel"; path: string }
  | { kind: "requirements-file"; path: string };

/**
 * The arguments after `python -m pip`: `install --exists-action w <index options> <targets>`. The version check
 * is off because it would reach out to PyPI on every call, which hangs offline.
 */
export function pipInstallArgs(targets: readonly PipTarget[], index: PipIndex): string[] {
  const args = ["install", "--exists-action", "w", "--disable-pip-version-check", ...pipIndexArgs(index)];
  for (const target of targets) {
    if (target.kind === "requirement") args.push(target.spec);
    else if (target.kind === "wheel") args.push(target.path);
    else args.push("-r", target.path);
  }
  return args;
}
