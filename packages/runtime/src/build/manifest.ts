// A bundle's `_manifest.yaml`, with every key and shape Starwhale 0.6.15 writes (spec §3.4), so that bundles
// built by either tool open in the other.
import { aggregateDependencies, type NativeFile, type RawDependency } from "@swhub/shared/schemas";
import type { PackedEnvLayerRecord } from "../bundle/packed-env";
import type { BuiltinImage } from "./images";

export interface ManifestLock {
  /** `environment.starwhale_version`, else a `starwhale==X` line of the lock, else "". */
  starwhaleVersion: string;
  /** The environment of the shell swcli ran in. */
  shell: { pythonEnv: "venv" | "conda" | "system"; pythonVersion: string };
  envName: string;
  envPrefixPath: string;
  envUseShell: boolean;
  /** Lock files, relative to `dependencies/`: `.starwhale/lock/requirements-sw-lock.txt`. */
  files: string[];
}

export interface ManifestInput {
  version: string;
  createdAt: string;
  build: { os: string; toolVersion: string };
  configs: {
    pip: { index_url: string; extra_index_url: string[]; trusted_host: string[] };
    conda: { channels: string[]; condarc: Record<string, unknown> };
    docker: { image: string };
  };
  environment: { mode: "venv" | "conda"; python: string; arch: string[]; autoLock: boolean };
  lock: ManifestLock;
  dependencies: RawDependency[];
  setupRequires: SetupRequires[];
  localPackagedEnv: boolean;
  customRunImage: string;
  builtinRunImage: BuiltinImage;
  artifacts: { dependencies: string[]; wheels: string[]; files: NativeFile[] };
}

export interface SetupRequires {
  kind: "pip_pkg";
  deps: string[];
}

/** The manifest as a plain object; `dumpStarwhaleYaml` writes it in Starwhale's key order and quoting. */
export function buildManifest(input: ManifestInput): Record<string, unknown> {
  const { lock } = input;
  return {
    artifacts: {
      dependencies: input.artifacts.dependencies,
      files: input.artifacts.files.map(withoutUndefined),
      runtime_yaml: "runtime.yaml",
      wheels: input.artifacts.wheels,
    },
    // Servers up to 0.4.6 read the run image from here.
    base_image: input.customRunImage || input.builtinRunImage.fullname,
    build: { os: input.build.os, sw_version: input.build.toolVersion },
    configs: input.configs,
    created_at: input.createdAt,
    dependencies: {
      ...aggregateDependencies(input.dependencies),
      local_packaged_env: input.localPackagedEnv,
      raw_deps: input.dependencies.map((dep) => ({
        deps: dep.kind === "native_file" ? dep.deps.map(withoutUndefined) : dep.deps,
        kind: dep.kind,
      })),
      setup_requires: input.setupRequires,
    },
    docker: { builtin_run_image: input.builtinRunImage, custom_run_image: input.customRunImage },
    environment: {
      arch: input.environment.arch,
      auto_lock_dependencies: input.environment.autoLock,
      lock: {
        env_name: lock.envName,
        env_prefix_path: lock.envPrefixPath,
        env_use_shell: lock.envUseShell,
        files: lock.files,
        shell: {
          python_env: lock.shell.pythonEnv,
          python_version: lock.shell.pythonVersion,
          use_conda: lock.shell.pythonEnv === "conda",
          use_venv: lock.shell.pythonEnv === "venv",
        },
        starwhale_version: lock.starwhaleVersion,
        system: input.build.os,
      },
      mode: input.environment.mode,
      python: input.environment.python,
    },
    version: input.version,
  };
}

/** The manifest's `packed_env_layer`: what dockerize needs to push a format 2 packed env as an image layer. */
export function packedEnvLayerEntry(path: string, layer: PackedEnvLayerRecord): Record<string, unknown> {
  return {
    architectures: layer.architectures,
    diff_id: layer.diffId,
    digest: layer.digest,
    media_type: "application/vnd.oci.image.layer.v1.tar+gzip",
    path,
    prefix: layer.prefix,
    python: layer.python,
    size: layer.size,
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Lock lines `name==version` by canonical name. */
function pins(lockRequirements: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of lockRequirements) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)/.exec(line.trim());
    if (match) found.set(match[1]!.toLowerCase().replace(/[-_.]+/g, "-"), line.trim());
  }
  return found;
}

/** The version of `starwhale` pinned in a lock, or "". */
export function starwhaleVersionInLock(lockRequirements: string[]): string {
  return pins(lockRequirements).get("starwhale")?.split("==")[1]?.trim() ?? "";
}

/**
 * Starwhale's "setup_requires" workaround: `basicsr` imports torch, numpy and cython in its setup.py, so restore
 * installs those first, pinned as in the lock.
 */
export function setupRequiresFor(lockRequirements: string[]): SetupRequires[] {
  const pinned = pins(lockRequirements);
  if (!pinned.has("basicsr")) return [];
  return [{ kind: "pip_pkg", deps: ["torch", "numpy", "cython"].map((name) => pinned.get(name) ?? name) }];
}
