import { spawn } from "node:child_process";
import { join } from "node:path";
import { extractBundle } from "@swhub/runtime/bundle/extract";
import {
  type ActivationTarget,
  prepareShell,
  printedActivation,
  type ShellLaunch,
  shellKind,
} from "@swhub/runtime/restore/activation";
import { ensureRestored } from "@swhub/runtime/restore/restore";
import { isExtracted } from "@swhub/runtime/restore/snapshot";
import { bundlePath, snapshotDir } from "@swhub/runtime/store/index";
import { AppError } from "@swhub/shared/errors";
import { formatResourceUri } from "@swhub/shared/uri";
import { shortVersion } from "@swhub/shared/version-id";
import type { CommandContext } from "../../command";
import type { ActivateOptions } from "../../commands/runtime/activate";
import type { RuntimeActivateJson } from "../../output/shapes";
import { restoreSettings } from "../../runtime-env";
import { resolveLocalRuntime, versionOf } from "../../store";

/**
 * `swcli runtime activate`: extract the bundle if needed, restore the environment if it is missing, broken, or was
 * left half made (or `-f`), then start the user's shell with it active (spec §4.1–4.2). `--print` prints the
 * command for `eval` instead; a shell other than bash, zsh or fish also gets the command printed.
 */
export async function activate(options: ActivateOptions, ctx: CommandContext): Promise<void> {
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, {
    command: "runtime activate",
    standaloneOnly: true,
  });
  const version = versionOf(uri);
  const shown = formatResourceUri(uri);
  // Progress and pip's output go to stderr, so with --print stdout holds only the command for `eval`.
  const { progress } = ctx;
  const workdir = snapshotDir(store, uri.project, uri.name, version);
  if (!(await isExtracted(workdir))) {
    await extractBundle(bundlePath(store, uri.project, uri.name, version), workdir, {
      force: true,
      progress,
    });
  }
  const result = await ensureRestored(workdir, {
    force: options.forceRestore,
    settings: restoreSettings(ctx),
    progress,
    signal: ctx.signal,
    uri: shown,
    name: uri.name,
  });
  progress.close(true);
  if (result.restored)
    ctx.output.notice(`restored ${uri.name}/version/${shortVersion(version)} (${result.reason})`);

  const target: ActivationTarget = { mode: result.mode, prefix: result.prefix, uri: shown };
  const kind = shellKind(ctx.env.SHELL);
  const command = printedActivation(target, kind);
  if (options.print || ctx.output.json || kind === "sh" || !ctx.env.SHELL) {
    const data: RuntimeActivateJson = {
      command,
      mode: result.mode,
      prefix: result.prefix,
      restored: result.restored,
    };
    if (!options.print && !ctx.output.json) {
      ctx.output.notice(
        `${ctx.env.SHELL ?? "your shell"} can't be started with the runtime active; run this in it:`,
      );
    }
    ctx.output.result(data, (d) => ctx.output.line(d.command));
    return;
  }
  const launch = await prepareShell(target, kind, {
    shell: ctx.env.SHELL,
    rcDir: join(result.prefix, ".sw-shell"),
    zdotdir: ctx.env.ZDOTDIR,
  });
  ctx.output.notice(
    `${uri.name}/version/${shortVersion(version)} is active in this ${kind}; \`exit\` leaves it`,
  );
  process.exit(await runShell(launch, ctx.env.inherited));
}

/**
 * Runs the shell in the foreground and returns its exit status, as if it had replaced swcli (Node can't exec):
 * Ctrl-C and Ctrl-\ belong to the shell, and a hang-up or termination is passed on to it.
 */
function runShell(
  launch: ShellLaunch,
  inherited: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  for (const signal of ["SIGINT", "SIGQUIT"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {});
  }
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, launch.args, {
      stdio: "inherit",
      env: { ...inherited, ...launch.env },
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, forward(signal));
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new AppError(
              "not_found",
              `your shell ${launch.command} ($SHELL) does not exist`,
              "use --print and eval its output",
            )
          : error,
      ),
    );
    child.on("exit", (code, signal) => resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15)));
  });
}
