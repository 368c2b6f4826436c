import { lockRuntime } from "@swhub/runtime/build/lock-runtime";
import type { CommandContext } from "../../command";
import type { LockOptions } from "../../commands/runtime/lock";
import type { RuntimeLockJson } from "../../output/shapes";
import { requireStandaloneCurrent } from "../../store";
import { buildSettings } from "./build-settings";

/**
 * `swcli runtime lock`: lock runtime.yaml's isolated env (installing its dependencies first) or a named env, into
 * `TARGET_DIR/.starwhale/lock/` (spec §3.2); `--stdout` prints the lock instead. Standalone only.
 * JSON: `RuntimeLockJson`.
 */
export async function lock(options: LockOptions, ctx: CommandContext): Promise<void> {
  requireStandaloneCurrent(ctx);
  const locked = await lockRuntime({
    cwd: process.cwd(),
    targetDir: options.targetDir,
    yamlPath: options.yamlPath,
    env: options.env,
    write: !options.stdout,
    includeEditable: options.includeEditable,
    includeLocalWheel: options.includeLocalWheel,
    dumpPipOptions: options.dumpPipOptions,
    noCache: options.noCache,
    settings: buildSettings(ctx),
    // With --stdout the lock is the output: progress and pip's lines go to stderr then.
    progress: options.stdout ? quiet(ctx) : ctx.progress,
    warn: (text) => ctx.output.warn(text),
    signal: ctx.signal,
  });
  const result: RuntimeLockJson = {
    path: locked.path ?? null,
    file_name: locked.lockFileName,
    prefix: locked.prefix,
    mode: locked.mode,
    python_version: locked.pythonVersion,
    content: locked.content,
  };
  ctx.progress.close(true);
  ctx.output.result(result, (r) => {
    if (r.path === null) ctx.output.line(r.content);
    else ctx.output.line(`locked ${r.prefix} (Python ${r.python_version}) into ${r.path}`);
  });
}

/** Progress for `--stdout`: only what matters on stderr, so stdout is exactly the lock file. */
function quiet(ctx: CommandContext): CommandContext["progress"] {
  return {
    phase() {},
    update() {},
    log: (line, stream) => {
      if (stream === "stderr") ctx.output.debug(line);
    },
    close() {},
  };
}
