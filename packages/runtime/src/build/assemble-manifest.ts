// Gathers what `_manifest.yaml` records about a build: the YAML's settings, the lock, the images, the files.
import { readFile } from "node:fs/promises";
import { type as osType } from "node:os";
import { join } from "node:path";
import { LOCK_DIR } from "@swhub/shared/schemas";
import { parse as parseYaml } from "yaml";
import type { Artifacts } from "./artifacts";
import { builtinRunImage } from "./images";
import type { LockedEnv } from "./lock-phase";
import { buildManifest, setupRequiresFor, starwhaleVersionInLock } from "./manifest";
import { findPython } from "./python";
import type { BuildSettings } from "./settings";
import { bundleLockPath } from "./snapshot";
import type { BuildPlan } from "./sources";
import { starwhaleCreatedAt } from "./starwhale-format";

export interface AssembleInput {
  plan: BuildPlan;
  artifacts: Artifacts;
  locked: LockedEnv | undefined;
  version: string;
  settings: BuildSettings;
  dumpCondarc?: boolean;
  packEnv: boolean;
}

export async function assembleManifest(input: AssembleInput) {
  const { plan, locked, settings } = input;
  const { yaml } = plan;
  const condarc = {
    ...(input.dumpCondarc && yaml.mode === "conda" ? await userCondarc(settings.home) : {}),
    ...yaml.configs.conda.condarc,
  };
  const pins = (locked?.distributions ?? []).map((dist) => `${dist.name}==${dist.version}`);
  const python =
    yaml.environment.python?.xy ?? xyOf(locked?.pythonVersion) ?? (await defaultPythonXY(settings));
  const target = plan.lock;
  const env = settings.env;
  const created =
    settings.sourceDateEpoch === undefined ? new Date() : new Date(settings.sourceDateEpoch * 1000);
  const content = buildManifest({
    version: input.version,
    createdAt: starwhaleCreatedAt(created, settings.sourceDateEpoch !== undefined),
    build: { os: osType(), toolVersion: settings.toolVersion },
    configs: { ...yaml.configs, conda: { ...yaml.configs.conda, condarc } },
    environment: { mode: yaml.mode, python, arch: yaml.environment.arch, autoLock: locked !== undefined },
    lock: {
      starwhaleVersion: yaml.environment.starwhale_version || starwhaleVersionInLock(pins),
      shell: {
        pythonEnv: env.VIRTUAL_ENV ? "venv" : env.CONDA_PREFIX ? "conda" : "system",
        pythonVersion: locked?.pythonVersion ?? yaml.environment.python?.full ?? "",
      },
      envName: target.kind === "env" ? target.envName : "",
      envPrefixPath: target.kind === "env" && !target.envName && !target.useShell ? target.prefix : "",
      envUseShell: target.kind === "env" && target.useShell,
      files: locked ? [`${LOCK_DIR}/${locked.lockFileName}`] : [],
    },
    dependencies: yaml.dependencies,
    setupRequires: setupRequiresFor(pins),
    localPackagedEnv: input.packEnv,
    customRunImage: plan.customImage,
    builtinRunImage: builtinRunImage({
      cuda: yaml.environment.cuda,
      cudnn: yaml.environment.cudnn,
      repo: settings.imageRepo,
      baseVersion: settings.baseImageVersion,
    }),
    artifacts: {
      dependencies: [
        ...input.artifacts.dependencies,
        ...(locked ? [bundleLockPath(locked.lockFileName)] : []),
      ],
      wheels: input.artifacts.wheels,
      files: input.artifacts.files,
    },
  });
  return { content, condarc };
}

const xyOf = (version: string | undefined) => version?.split(".").slice(0, 2).join(".");

/** Starwhale records its own Python when runtime.yaml names none; ours is python3 on PATH, if there is one. */
async function defaultPythonXY(settings: BuildSettings): Promise<string> {
  return findPython(undefined, settings.env).then(
    (python) => xyOf(python.version) ?? "",
    () => "",
  );
}

async function userCondarc(home: string): Promise<Record<string, unknown>> {
  const text = await readFile(join(home, ".condarc"), "utf8").catch(() => undefined);
  if (text === undefined) return {};
  try {
    const value: unknown = parseYaml(text);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
