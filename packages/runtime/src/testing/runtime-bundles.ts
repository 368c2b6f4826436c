/**
 * Runtime versions for tests that need one in a standalone store, made without `swcli runtime build`: a bundle
 * packed from a manifest like the ones Starwhale writes (see test-fixtures/starwhale-0.6.15), a lock file, wheels,
 * and optionally a packed environment.
 *
 *   const store = { root: await makeTempDir("store") };
 *   const rt = await writeRuntimeVersion(store, { name: "demo", lock: ["tinypkg01==1.0.1"] });
 *   // rt.bundlePath, rt.snapshotDir, rt.version: registered in the tag index (v0, latest)
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { generateVersionId } from "@swhub/shared/version-id";
import { stringify } from "yaml";
import { packedEnvLayerEntry } from "../build/manifest";
import { type BundleEntry, packBundle } from "../bundle/pack";
import { type PackedEnv, packedEnvPath } from "../bundle/packed-env";
import { bundlePath, type Store, snapshotDir } from "../store/layout";
import { registerVersion } from "../store/tags";

export interface TestRuntimeSpec {
  name: string;
  project?: string;
  version?: string;
  /** Python X.Y; default 3.11. */
  python?: string;
  /** Lines of `requirements-sw-lock.txt`; none means no lock file. */
  lock?: string[];
  /** Wheel files to carry in the bundle (`wheels/<basename>`), installed with the runtime. */
  wheels?: string[];
  /**
   * A packed env archive to carry as `export/venv_env.tar.gz`: what `packEnv` returned (a format 2 one is recorded
   * in the manifest as `packed_env_layer`, as a build does), or the path of any archive (recorded as nothing).
   */
  packedEnv?: string | PackedEnv;
  /** `environment.arch`; default noarch. */
  arch?: string[];
  /** `environment.docker.image`. */
  dockerImage?: string;
  /** `configs.docker.image`. */
  configImage?: string;
  /** Extra raw_deps entries (commands, native files, ...). */
  rawDeps?: { kind: string; deps: unknown }[];
  /** Extra bundle members. */
  entries?: BundleEntry[];
}

export interface TestRuntime {
  name: string;
  project: string;
  version: string;
  bundlePath: string;
  snapshotDir: string;
}

const lockFile = ".starwhale/lock/requirements-sw-lock.txt";

export function testManifest(spec: TestRuntimeSpec, version: string): Record<string, unknown> {
  const python = spec.python ?? "3.11";
  const wheelNames = (spec.wheels ?? []).map((w) => w.slice(w.lastIndexOf("/") + 1));
  const rawDeps = [
    ...(wheelNames.length ? [{ kind: "wheel", deps: wheelNames }] : []),
    ...(spec.rawDeps ?? []),
  ];
  return {
    version,
    created_at: "2026-11-27 19:29:16 UTC",
    build: { os: "Linux", sw_version: "0.6.15" },
    configs: {
      conda: { channels: ["conda-forge"], condarc: {} },
      docker: { image: spec.configImage ?? "" },
      pip: { extra_index_url: [""], index_url: "", trusted_host: [""] },
    },
    dependencies: {
      conda_files: [],
      conda_pkgs: [],
      local_packaged_env: spec.packedEnv !== undefined,
      pip_files: [],
      pip_pkgs: [],
      raw_deps: rawDeps,
      setup_requires: [],
    },
    docker: {
      builtin_run_image: {
        fullname: "docker-registry.starwhale.cn/star-whale/base:0.3.4",
        name: "base",
        repo: "docker-registry.starwhale.cn/star-whale",
        tag: "0.3.4",
      },
      custom_run_image: spec.dockerImage ?? "",
    },
    environment: {
      arch: spec.arch ?? ["noarch"],
      auto_lock_dependencies: spec.lock !== undefined,
      lock: {
        env_name: "",
        env_prefix_path: "",
        env_use_shell: false,
        files: spec.lock !== undefined ? [lockFile] : [],
        shell: { python_env: "venv", python_version: `${python}.2`, use_conda: false, use_venv: true },
        starwhale_version: "0.6.15",
        system: "Linux",
      },
      mode: "venv",
      python,
      ...(spec.dockerImage ? { docker: { image: spec.dockerImage } } : {}),
    },
    ...(typeof spec.packedEnv === "object" && spec.packedEnv.layer
      ? { packed_env_layer: packedEnvLayerEntry(packedEnvPath, spec.packedEnv.layer) }
      : {}),
    artifacts: {
      dependencies: spec.lock !== undefined ? [`dependencies/${lockFile}`] : [],
      files: [],
      runtime_yaml: "runtime.yaml",
      wheels: wheelNames.map((w) => `wheels/${w}`),
    },
  };
}

/** Packs a runtime version into the store and registers it (tags `v0`…, `latest`). */
export async function writeRuntimeVersion(store: Store, spec: TestRuntimeSpec): Promise<TestRuntime> {
  const project = spec.project ?? "self";
  const version = spec.version ?? generateVersionId();
  const entries: BundleEntry[] = [
    { path: "_manifest.yaml", type: "file", content: stringify(testManifest(spec, version)) },
    {
      path: "runtime.yaml",
      type: "file",
      content: stringify({ name: spec.name, mode: "venv", environment: { python: spec.python ?? "3.11" } }),
    },
    ...(spec.lock !== undefined
      ? [{ path: `dependencies/${lockFile}`, type: "file" as const, content: spec.lock.join("\n") }]
      : []),
    ...(spec.wheels ?? []).map(
      (source): BundleEntry => ({
        path: `wheels/${source.slice(source.lastIndexOf("/") + 1)}`,
        type: "file",
        source,
      }),
    ),
    ...(spec.packedEnv
      ? [
          {
            path: packedEnvPath,
            type: "file" as const,
            source: typeof spec.packedEnv === "string" ? spec.packedEnv : spec.packedEnv.path,
          },
        ]
      : []),
    ...(spec.entries ?? []),
  ];
  const path = bundlePath(store, project, spec.name, version);
  await mkdir(dirname(path), { recursive: true });
  await packBundle(path, { entries });
  await registerVersion(store, project, spec.name, version);
  return {
    name: spec.name,
    project,
    version,
    bundlePath: path,
    snapshotDir: snapshotDir(store, project, spec.name, version),
  };
}
