import { cp, lstat, mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import type { ProgressSink } from "@swhub/shared/progress";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { condaEnvUpdateArgs, condaInstallArgs, condaPipArgs } from "./conda";
import { type PipTarget, type PypiOverrides, pipInstallArgs, resolvePipIndex } from "./pip-options";
import type { InstallStep, Mode } from "./plan";
import { runLogged } from "./run";

// Carries out an install plan (plan.ts) in an environment that restore has made, reporting each step.

export interface InstallContext {
  workdir: string;
  prefix: string;
  mode: Mode;
  conda: string | undefined;
  env: NodeJS.ProcessEnv;
  manifest: RuntimeManifest;
  signal?: AbortSignal;
  pypi?: PypiOverrides;
  progress: ProgressSink;
}

const pipHint =
  "pip's output is above; to restore offline, point PIP_FIND_LINKS at a directory of wheels and set PIP_NO_INDEX=1";

export async function install(steps: InstallStep[], ctx: InstallContext): Promise<string[]> {
  const { progress, env } = ctx;
  const skipped: string[] = [];
  const work = steps.filter((step) => step.kind !== "skip");
  if (work.length > 0) progress.phase("install", work.length, "items");
  let done = 0;
  const index = resolvePipIndex(ctx.manifest.configs.pip, ctx.pypi);
  const run = { env, progress, signal: ctx.signal, cwd: ctx.workdir };
  for (const step of steps) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    switch (step.kind) {
      case "skip":
        skipped.push(`${step.what}: ${step.reason}`);
        progress.log(`skipped ${step.what}: ${step.reason}`, "engine");
        continue;
      case "pip": {
        await checkFiles(step.targets, ctx.workdir);
        const args = pipInstallArgs(step.targets, index);
        const label = `pip install ${describeTargets(step.targets)}`;
        progress.log(label, "engine");
        if (ctx.mode === "conda")
          await runLogged(ctx.conda!, condaPipArgs(ctx.prefix, args), { ...run, label, hint: pipHint });
        else
          await runLogged(join(ctx.prefix, "bin", "python"), ["-m", "pip", ...args], {
            ...run,
            label,
            hint: pipHint,
          });
        break;
      }
      case "conda-install": {
        const channels = ctx.manifest.configs.conda?.channels ?? [];
        const label = `conda install ${step.packages.join(" ")}`;
        progress.log(label, "engine");
        await runLogged(
          ctx.conda!,
          condaInstallArgs(ctx.prefix, channels.length ? channels : ["conda-forge"], step.packages),
          { ...run, label },
        );
        break;
      }
      case "conda-env-update": {
        const label = `conda env update --file ${basename(step.file)}`;
        progress.log(label, "engine");
        await runLogged(ctx.conda!, condaEnvUpdateArgs(step.file, ctx.prefix), { ...run, label });
        break;
      }
      case "native-file":
        if (!(await exists(step.src))) throw missingFile(step.src, ctx.workdir);
        progress.log(`copy ${step.src} -> ${step.dest}`, "engine");
        await mkdir(dirname(step.dest), { recursive: true });
        await cp(step.src, step.dest, { recursive: true, force: true });
        break;
      case "command":
        progress.log(`run \`${step.command}\``, "engine");
        await runLogged("sh", ["-c", step.command], { ...run, label: `command \`${step.command}\`` });
        break;
    }
    progress.update(++done, work.length);
  }
  return skipped;
}

function describeTargets(targets: PipTarget[]): string {
  return targets
    .map((t) =>
      t.kind === "requirement" ? t.spec : t.kind === "wheel" ? basename(t.path) : `-r ${basename(t.path)}`,
    )
    .join(" ");
}

async function checkFiles(targets: PipTarget[], workdir: string): Promise<void> {
  for (const target of targets) {
    if (target.kind !== "requirement" && !(await exists(target.path)))
      throw missingFile(target.path, workdir);
  }
}

/** Paths are inside the workdir (plan.ts checks), so the part after it is what the bundle should hold. */
function missingFile(path: string, workdir: string): AppError {
  return new AppError(
    "not_found",
    `the runtime lists ${path.slice(workdir.length + 1)}, but its bundle does not hold it`,
    "build the runtime again with the file in place",
  );
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );
