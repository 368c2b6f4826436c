import { defineCommand } from "../../command";
import { UsageError } from "../../errors";
import { choice, flag, list, text } from "../../parse/options";

export const cudaVersions = ["11.3", "11.4", "11.5", "11.6", "11.7"] as const;
export const cudnnVersions = ["8"] as const;
export const architectures = ["amd64", "arm64", "noarch"] as const;

/** Where the runtime comes from; exactly one, `yaml` (./runtime.yaml) when none is given. */
export type BuildSource =
  | { kind: "yaml"; path: string }
  | { kind: "conda"; name: string }
  | { kind: "conda-prefix"; path: string }
  | { kind: "venv"; path: string }
  | { kind: "shell" }
  | { kind: "docker"; image: string };

export interface BuildOptions {
  source: BuildSource;
  /** Runtime name; default from the source (spec §3.1). */
  name?: string;
  /** Project URI; default the current project. */
  project?: string;
  /** yaml source: don't lock; restore installs the raw dependencies. */
  disableEnvLock: boolean;
  /** yaml source: wipe the auto-created environment before installing. */
  noCache: boolean;
  /** conda/venv/shell sources: written into the generated runtime.yaml. */
  cuda?: (typeof cudaVersions)[number];
  cudnn?: (typeof cudnnVersions)[number];
  arch: (typeof architectures)[number];
  /** Add the user's pip index options to the lock (`-dpo`, old name `-epo`). */
  dumpPipOptions: boolean;
  /** Merge ~/.condarc into the runtime's conda config (`-dcc`, old name `-ecc`). */
  dumpCondarc: boolean;
  /** Extra tags; `latest` and `vN` are rejected by the tag rules. */
  tags: string[];
  /** Copy the new version to this URI after the build. */
  push?: string;
  /** Overwrite at the push destination. */
  forcePush: boolean;
  /** Pack the locked environment into the bundle (`export/<mode>_env.tar.gz`) so restore needs no pip; `-dad` is Starwhale's name. */
  packEnv: boolean;
  includeEditable: boolean;
  includeLocalWheel: boolean;
}

const sources = "Build sources (choose one; default: --yaml runtime.yaml):";
const yamlOnly = "runtime.yaml source:";
const envOnly = "conda, conda-prefix, venv and shell sources:";
const common = "Other options:";

export const buildCommand = defineCommand({
  name: "build",
  summary: "Build a runtime from runtime.yaml, a conda env, a venv, the shell or an image",
  description:
    "The bundle goes to the project's store and gets the tags latest and vN. With a project on a server " +
    "(--project cloud://A/project/P) the server builds it: runtime.yaml and its files are uploaded, the build " +
    "runs as a job whose progress is shown here, and Ctrl-C cancels it.",
  options: {
    conda: text("-c, --conda <name>", "lock the conda environment with this name").group(sources),
    condaPrefix: text("-cp, --conda-prefix <path>", "lock the conda environment at this prefix").group(
      sources,
    ),
    venv: text("-v, --venv <path>", "lock the virtualenv or python venv at this prefix").group(sources),
    shell: flag("-s, --shell", "lock the venv or conda environment active in this shell").group(sources),
    yaml: text("-y, --yaml <path>", "build from this runtime.yaml (default: ./runtime.yaml)").group(sources),
    docker: text("-d, --docker <image>", "use this docker image as the runtime").group(sources),
    disableEnvLock: flag("-del, --disable-env-lock", "don't install and lock the dependencies").group(
      yamlOnly,
    ),
    noCache: flag("-nc, --no-cache", "recreate the isolated environment before installing").group(yamlOnly),
    cuda: choice("--cuda <version>", "CUDA version", cudaVersions).group(envOnly),
    cudnn: choice("--cudnn <version>", "cuDNN version", cudnnVersions).group(envOnly),
    arch: choice("--arch <arch>", "system architecture (default: noarch)", architectures).group(envOnly),
    name: text("-n, --name <name>", "runtime name (default: from the source)").group(common),
    project: text("-p, --project <project>", "project URI (default: the current project)").group(common),
    tag: list("-t, --tag <tag>", "add a tag to the new version; repeatable").group(common),
    dumpPipOptions: flag("-dpo, --dump-pip-options", "record the index options of your pip config").group(
      common,
    ),
    emitPipOptions: flag("-epo, --emit-pip-options", "old name of --dump-pip-options").group(common),
    dumpCondarc: flag("-dcc, --dump-condarc", "record your ~/.condarc").group(common),
    emitCondarc: flag("-ecc, --emit-condarc", "old name of --dump-condarc").group(common),
    push: text("--push <uri>", "copy the new version to this runtime or project URI").group(common),
    forcePush: flag("--force-push", "overwrite the version at the --push destination").group(common),
    packEnv: flag("--pack-env", "pack the environment into the bundle, so restore works offline").group(
      common,
    ),
    downloadAllDeps: flag("-dad, --download-all-deps", "Starwhale's name for --pack-env").group(common),
    includeEditable: flag("-ie, --include-editable", "keep editable packages in the lock").group(common),
    includeLocalWheel: flag(
      "-ilw, --include-local-wheel",
      "keep `name @ file://...whl` lines in the lock",
    ).group(common),
  },
  examples: [
    "swcli runtime build                                  # ./runtime.yaml",
    "swcli runtime build -y example/pytorch/runtime.yaml",
    "swcli runtime build -c pytorch --cuda 11.4           # the conda env named pytorch",
    "swcli runtime build --conda-prefix /home/starwhale/anaconda3/envs/pytorch",
    "swcli runtime build -v /home/starwhale/.virtualenvs/pytorch --arch amd64",
    "swcli runtime build --docker pytorch/pytorch:1.9.0-cuda11.1-cudnn8-runtime",
    "swcli runtime build -s --cuda 11.4 --cudnn 8         # the env active in this shell",
  ],
  parse(raw): BuildOptions {
    const given: { flag: string; source: BuildSource }[] = [];
    if (raw.conda) given.push({ flag: "--conda", source: { kind: "conda", name: raw.conda } });
    if (raw.condaPrefix)
      given.push({ flag: "--conda-prefix", source: { kind: "conda-prefix", path: raw.condaPrefix } });
    if (raw.venv) given.push({ flag: "--venv", source: { kind: "venv", path: raw.venv } });
    if (raw.shell) given.push({ flag: "--shell", source: { kind: "shell" } });
    if (raw.yaml) given.push({ flag: "--yaml", source: { kind: "yaml", path: raw.yaml } });
    if (raw.docker) given.push({ flag: "--docker", source: { kind: "docker", image: raw.docker } });
    if (given.length > 1) {
      throw new UsageError(`choose one build source, not ${given.map((g) => g.flag).join(" and ")}`);
    }
    const source = given[0]?.source ?? { kind: "yaml", path: "runtime.yaml" };

    const fromEnv =
      source.kind === "conda" ||
      source.kind === "conda-prefix" ||
      source.kind === "venv" ||
      source.kind === "shell";
    for (const [used, option] of [
      [raw.cuda, "--cuda"],
      [raw.cudnn, "--cudnn"],
      [raw.arch, "--arch"],
    ] as const) {
      if (used !== undefined && !fromEnv) {
        throw new UsageError(`${option} applies to --conda, --conda-prefix, --venv and --shell builds only`);
      }
    }
    for (const [used, option] of [
      [raw.disableEnvLock, "--disable-env-lock"],
      [raw.noCache, "--no-cache"],
    ] as const) {
      if (used && source.kind !== "yaml")
        throw new UsageError(`${option} applies to runtime.yaml builds only`);
    }
    if (raw.forcePush && !raw.push) throw new UsageError("--force-push needs --push URI");

    return {
      source,
      name: raw.name,
      project: raw.project,
      disableEnvLock: raw.disableEnvLock,
      noCache: raw.noCache,
      cuda: raw.cuda,
      cudnn: raw.cudnn,
      arch: raw.arch ?? "noarch",
      dumpPipOptions: raw.dumpPipOptions || raw.emitPipOptions,
      dumpCondarc: raw.dumpCondarc || raw.emitCondarc,
      tags: raw.tag,
      push: raw.push,
      forcePush: raw.forcePush,
      packEnv: raw.packEnv || raw.downloadAllDeps,
      includeEditable: raw.includeEditable,
      includeLocalWheel: raw.includeLocalWheel,
    };
  },
  handler: () => import("../../handlers/runtime/build").then((module) => module.build),
});
