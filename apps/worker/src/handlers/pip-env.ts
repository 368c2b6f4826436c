import type { EnvVars } from "@swhub/runtime/build/settings";

/**
 * The environment of pip and python in a job: only what the worker configures (pip's own config files and the
 * machine's PIP_* settings are shut out, so every job installs from the same index), a home and caches inside
 * the run's directory, so cancelling or finishing leaves nothing behind. `keep` names worker variables passed on.
 */
export function isolatedPipEnvironment(
  settings: { env: EnvVars; indexUrl?: string; findLinks?: string },
  home: string,
  keep: readonly string[] = ["PATH", "LANG"],
): EnvVars {
  const kept = Object.fromEntries(
    keep.filter((name) => settings.env[name]).map((name) => [name, settings.env[name]]),
  );
  return {
    ...kept,
    HOME: home,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    PIP_NO_CACHE_DIR: "1",
    ...(settings.indexUrl ? { PIP_INDEX_URL: settings.indexUrl } : {}),
    ...(settings.findLinks ? { PIP_FIND_LINKS: settings.findLinks } : {}),
    // Wheels only from the configured directories: with no index configured, pip must not try PyPI.
    ...(settings.findLinks && !settings.indexUrl ? { PIP_NO_INDEX: "1" } : {}),
  };
}
