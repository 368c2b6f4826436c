import { defineCommand } from "../../command";
import { UsageError } from "../../errors";
import { flag, optionalArg, text } from "../../parse/options";

/** Which Python environment to lock; default the one swcli creates under TARGET_DIR/.starwhale. */
export type LockEnv =
  | { kind: "auto" }
  | { kind: "conda-name"; name: string }
  | { kind: "prefix"; path: string }
  | { kind: "shell" };

export interface LockOptions {
  /** The lock file goes to TARGET_DIR/.starwhale/lock/. */
  targetDir: string;
  /** The runtime.yaml whose dependencies are installed and locked; default TARGET_DIR/runtime.yaml. */
  yamlPath?: string;
  env: LockEnv;
  /** Print the lock file instead of writing it. */
  stdout: boolean;
  includeEditable: boolean;
  includeLocalWheel: boolean;
  dumpPipOptions: boolean;
  /** Recreate the auto environment before installing. */
  noCache: boolean;
}

const selectors = "Python environment (choose one; default: an isolated env under TARGET_DIR/.starwhale):";

export const lockCommand = defineCommand({
  name: "lock",
  summary: "Lock runtime.yaml's dependencies to exact versions",
  description:
    "Standalone instance only. Writes .starwhale/lock/requirements-sw-lock.txt (venv) or conda-sw-lock.yaml.",
  args: { targetDir: optionalArg("target_dir", "where the lock files go", ".") },
  options: {
    yamlPath: text("-f, --yaml-path <path>", "runtime.yaml to lock (default: TARGET_DIR/runtime.yaml)"),
    envName: text("-n, --env-name <name>", "lock the conda environment with this name").group(selectors),
    envPrefixPath: text(
      "-p, --env-prefix-path <path>",
      "lock the conda or venv environment at this prefix",
    ).group(selectors),
    envUseShell: flag("-s, --env-use-shell", "lock the environment active in this shell").group(selectors),
    stdout: flag("-so, --stdout", "print the lock file instead of writing it"),
    includeEditable: flag("-ie, --include-editable", "keep editable packages"),
    includeLocalWheel: flag("-ilw, --include-local-wheel", "keep `name @ file://...whl` lines"),
    dumpPipOptions: flag("-dpo, --dump-pip-options", "record the index options of your pip config"),
    emitPipOptions: flag("-epo, --emit-pip-options", "old name of --dump-pip-options"),
    noCache: flag("-nc, --no-cache", "recreate the isolated environment before installing"),
  },
  examples: [
    "swcli runtime lock",
    "swcli runtime lock example/pytorch -f example/pytorch/runtime.yaml -s",
    "swcli runtime lock -p .venv --stdout",
  ],
  parse(raw): LockOptions {
    const given: { flag: string; env: LockEnv }[] = [];
    if (raw.envName) given.push({ flag: "--env-name", env: { kind: "conda-name", name: raw.envName } });
    if (raw.envPrefixPath)
      given.push({ flag: "--env-prefix-path", env: { kind: "prefix", path: raw.envPrefixPath } });
    if (raw.envUseShell) given.push({ flag: "--env-use-shell", env: { kind: "shell" } });
    if (given.length > 1) {
      throw new UsageError(`choose one environment, not ${given.map((g) => g.flag).join(" and ")}`);
    }
    const env = given[0]?.env ?? { kind: "auto" };
    if (raw.noCache && env.kind !== "auto")
      throw new UsageError("--no-cache applies to the auto-created environment only");
    return {
      targetDir: raw.targetDir,
      yamlPath: raw.yamlPath,
      env,
      stdout: raw.stdout,
      includeEditable: raw.includeEditable,
      includeLocalWheel: raw.includeLocalWheel,
      dumpPipOptions: raw.dumpPipOptions || raw.emitPipOptions,
      noCache: raw.noCache,
    };
  },
  handler: () => import("../../handlers/runtime/lock").then((module) => module.lock),
});
