import { join } from "node:path";
import type { RestoreSettings } from "@swhub/runtime/restore/restore";
import type { CommandContext } from "./command";

/** What restore needs to know about this machine, from swcli's environment (spec §4.1). */
export function restoreSettings(ctx: CommandContext): RestoreSettings {
  const { env } = ctx;
  return {
    env: { ...env.inherited },
    pypi: pypiSettings(ctx),
    container: env.SW_CONTAINER,
    forceRunCommand: env.SW_RUNTIME_FORCE_RUN_COMMAND,
    condaExe: env.CONDA_EXE,
    pyenvRoot: env.PYENV_ROOT ?? join(env.home, ".pyenv"),
    cacheDir: join(ctx.config.storageRoot, ".cache"),
    cwd: process.cwd(),
  };
}

/** The SW_PYPI_* variables (spec §4.1), which build, lock and restore hand to pip. */
export function pypiSettings(ctx: CommandContext): RestoreSettings["pypi"] {
  const { env } = ctx;
  return {
    indexUrl: env.SW_PYPI_INDEX_URL,
    extraIndexUrl: env.SW_PYPI_EXTRA_INDEX_URL,
    trustedHost: env.SW_PYPI_TRUSTED_HOST,
    timeout: env.SW_PYPI_TIMEOUT,
    retries: env.SW_PYPI_RETRIES,
  };
}
