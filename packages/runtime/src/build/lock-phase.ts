// The lock phase of a build, and `swcli runtime lock`: pin what an environment holds. The user's own env is read
// from its metadata as it is; the isolated env of a runtime.yaml is made and filled first.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { invalidInput } from "@swhub/shared/errors";
import type { RuntimeYaml } from "@swhub/shared/schemas";
import { withFileLock } from "../fs/lock";
import { type LockResult, lockEnvironment } from "../python/lock";
import { resolvePipOptions } from "../python/pip-config";
import { ensureAutoVenv, installDependencies } from "./auto-env";
import { sameMinor } from "./python";
import { type BuildSettings, findConda, type RunHooks } from "./settings";
import type { LockTarget } from "./sources";

export interface LockPhaseOptions {
  includeEditable?: boolean;
  includeLocalWheel?: boolean;
  /** `-dpo`: put the user's pip index options at the top of a venv lock. */
  dumpPipOptions?: boolean;
  /** `-nc`: recreate the isolated env. */
  noCache?: boolean;
}

export interface LockedEnv extends LockResult {
  /** The environment that was locked. */
  prefix: string;
  mode: "venv" | "conda";
}

/** Locks the plan's target; undefined when there is nothing to lock (`-del`, `--docker`). */
export async function lockTarget(
  target: LockTarget,
  yaml: RuntimeYaml,
  baseDir: string,
  options: LockPhaseOptions,
  settings: BuildSettings,
  hooks: RunHooks = {},
): Promise<LockedEnv | undefined> {
  if (target.kind === "none") return undefined;
  const pipOptions = options.dumpPipOptions
    ? await resolvePipOptions({ env: settings.env, home: settings.home })
    : [];
  const common = {
    includeEditable: options.includeEditable ?? false,
    includeLocalWheel: options.includeLocalWheel ?? false,
    pipOptions,
    generatorVersion: settings.toolVersion,
  };
  let locked: LockedEnv;
  if (target.kind === "env") {
    hooks.progress?.phase("lock", undefined, "items");
    const condaExe = target.mode === "conda" ? ((await findConda(settings.env)) ?? null) : null;
    const result = await lockEnvironment({ kind: target.mode, prefix: target.prefix, condaExe, ...common });
    locked = { ...result, prefix: target.prefix, mode: target.mode };
  } else {
    if (yaml.mode === "conda") {
      throw invalidInput(
        "locking a conda-mode runtime.yaml in an isolated env needs conda environments, which swcli does not create yet",
        "build with -del to skip the lock, or lock your conda env and build with --conda-prefix PATH",
      );
    }
    locked = await lockAutoVenv(target.workdir, yaml, baseDir, options, common, settings, hooks);
  }
  const wanted = yaml.environment.python?.xy;
  if (wanted && !sameMinor(locked.pythonVersion, wanted)) {
    throw invalidInput(
      `${locked.prefix} has Python ${locked.pythonVersion}, but runtime.yaml asks for ${wanted}`,
      "lock an environment of that Python, or change environment.python",
    );
  }
  hooks.progress?.update(locked.distributions.length, locked.distributions.length);
  return locked;
}

async function lockAutoVenv(
  workdir: string,
  yaml: RuntimeYaml,
  baseDir: string,
  options: LockPhaseOptions,
  common: Omit<Parameters<typeof lockEnvironment>[0], "kind" | "prefix">,
  settings: BuildSettings,
  hooks: RunHooks,
): Promise<LockedEnv> {
  await mkdir(join(workdir, ".starwhale"), { recursive: true });
  // Two builds of the same runtime.yaml share the env: one fills it while the other waits.
  return withFileLock(
    join(workdir, ".starwhale", ".venv.lock"),
    async () => {
      hooks.progress?.phase("prepare-env", undefined, "items");
      const venv = await ensureAutoVenv(
        workdir,
        yaml.environment.python?.xy,
        options.noCache ?? false,
        settings,
        hooks,
      );
      await installDependencies(venv, yaml, baseDir, settings, hooks);
      hooks.progress?.phase("lock", undefined, "items");
      const result = await lockEnvironment({ kind: "venv", prefix: venv.prefix, ...common });
      return { ...result, prefix: venv.prefix, mode: "venv" as const };
    },
    { timeoutMs: 30 * 60_000 },
  );
}
