// `swcli runtime build` on the standalone instance (spec §3.3): plan, lock, copy, pack, tag. A version appears
// whole or not at all: the snapshot is made under a temporary name, the bundle is written atomically, and if
// anything fails before the tag index records the version, the bundle, the snapshot and the directories the
// build created are removed again.
import { mkdir, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { conflict, invalidInput } from "@swhub/shared/errors";
import { assertProjectName, assertUserTag } from "@swhub/shared/names";
import { generateVersionId, looksLikeVersionId } from "@swhub/shared/version-id";
import { packBundle, resolveBundleMtime } from "../bundle/pack";
import { packEnv, packedEnvPath } from "../bundle/packed-env";
import { releaseTemp, renameAtomic, tempSiblingPath, writeFileAtomic } from "../fs/atomic";
import type { Sha256Digest } from "../fs/sha256";
import { bundlePath, type Store, snapshotDir } from "../store/layout";
import { registerVersion } from "../store/tags";
import { collectArtifacts } from "./artifacts";
import { assembleManifest } from "./assemble-manifest";
import { type LockPhaseOptions, lockTarget } from "./lock-phase";
import { packedEnvLayerEntry } from "./manifest";
import type { BuildSettings, RunHooks } from "./settings";
import { bundleLockPath, writeSnapshot } from "./snapshot";
import { type BuildSource, type EnvSourceOptions, planBuild } from "./sources";
import { dumpStarwhaleYaml } from "./starwhale-format";

export interface BuildRuntimeOptions extends RunHooks, EnvSourceOptions, LockPhaseOptions {
  store: Store;
  project: string;
  source: BuildSource;
  /** Relative paths (`-y`, `-v`, ...) resolve against this. */
  cwd: string;
  name?: string;
  tags?: string[];
  /** `-dcc`: merge ~/.condarc under runtime.yaml's condarc (conda mode). */
  dumpCondarc?: boolean;
  /** `--pack-env`: store the locked venv as `export/venv_env.tar.gz`. */
  packEnv?: boolean;
  settings: BuildSettings;
}

export interface BuiltRuntime {
  project: string;
  name: string;
  version: string;
  /** Every tag the version has now: `latest`, its `vN`, the user's. */
  tags: string[];
  autoTag?: string;
  bundlePath: string;
  snapshotDir: string;
  size: number;
  digest: Sha256Digest;
  mode: "venv" | "conda";
  /** The lock file's path inside the bundle, when the build locked. */
  lockFile?: string;
  /** How many distributions the locked environment holds. */
  distributions?: number;
  /** `--docker`: the image as recorded (pinned by digest when the registry answered). */
  image?: string;
}

export async function buildRuntime(options: BuildRuntimeOptions): Promise<BuiltRuntime> {
  const { store, project, settings } = options;
  const hooks: RunHooks = { progress: options.progress, warn: options.warn, signal: options.signal };
  const tags = [...new Set(options.tags ?? [])];
  for (const tag of tags) assertUserTag(tag);
  assertProjectName(project);
  const version = settings.fixedVersion ?? generateVersionId();
  if (!looksLikeVersionId(version)) {
    throw invalidInput(
      `SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST must be a version id (letters a-z and digits 2-7), got "${version}"`,
    );
  }
  options.progress?.phase("prepare", undefined, "items");
  const plan = await planBuild(options.source, options.cwd, options.name, options, settings, hooks);
  if (options.packEnv) {
    if (plan.lock.kind === "none" || plan.yaml.mode !== "venv") {
      throw invalidInput(
        "--pack-env packs a venv: it needs a venv source (-v, -s in a venv) or a locked runtime.yaml in venv mode",
        plan.lock.kind === "none"
          ? "drop -del, or drop --pack-env"
          : "drop --pack-env for conda environments",
      );
    }
  }
  const artifacts = await collectArtifacts(plan.yaml, plan.baseDir);
  const finalBundle = bundlePath(store, project, plan.name, version);
  const finalSnapshot = snapshotDir(store, project, plan.name, version);
  for (const path of [finalBundle, finalSnapshot]) {
    if (await exists(path))
      throw conflict(`version ${version} of runtime ${plan.name} already exists (${path})`);
  }
  hooks.signal?.throwIfAborted();

  const locked = await lockTarget(plan.lock, plan.yaml, plan.baseDir, options, settings, hooks);
  if (locked && plan.lock.kind === "auto") {
    // As Starwhale does: the lock is also left next to runtime.yaml, for the user to read or commit.
    const path = join(plan.lock.workdir, ".starwhale", "lock", locked.lockFileName);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, locked.content);
  }
  hooks.signal?.throwIfAborted();

  const created: Array<{ top: string; leaf: string }> = [];
  const made = async (dir: string) => {
    const first = await mkdir(dir, { recursive: true });
    if (first) created.push({ top: first, leaf: dir });
  };
  await made(dirname(finalBundle));
  await made(dirname(finalSnapshot));
  const temp = tempSiblingPath(finalSnapshot);
  let bundleWritten = false;
  let snapshotPlaced = false;
  try {
    await mkdir(temp);
    const manifest = await assembleManifest({
      plan,
      artifacts,
      locked,
      version,
      settings,
      dumpCondarc: options.dumpCondarc,
      packEnv: options.packEnv ?? false,
    });
    await writeSnapshot(
      temp,
      {
        yamlText: plan.yamlText,
        copies: artifacts.copies,
        ...(locked ? { lock: { fileName: locked.lockFileName, content: locked.content } } : {}),
        condarc: manifest.condarc,
      },
      hooks,
    );
    if (options.packEnv && locked) {
      await mkdir(join(temp, "export"));
      const packed = await packEnv(locked.prefix, join(temp, packedEnvPath), { progress: options.progress });
      if (packed.layer) manifest.content.packed_env_layer = packedEnvLayerEntry(packedEnvPath, packed.layer);
    }
    await writeFileAtomic(join(temp, "_manifest.yaml"), dumpStarwhaleYaml(manifest.content), {
      durable: false,
    });
    hooks.signal?.throwIfAborted();

    const packed = await packBundle(finalBundle, {
      dir: temp,
      mtime: resolveBundleMtime(settings.sourceDateEpoch?.toString()),
      progress: options.progress,
    });
    bundleWritten = true;
    options.progress?.phase("tag", undefined, "items");
    await renameAtomic(temp, finalSnapshot);
    releaseTemp(temp);
    snapshotPlaced = true;
    const registered = await registerVersion(store, project, plan.name, version, tags);
    return {
      project,
      name: plan.name,
      version,
      tags: registered.tags,
      ...(registered.autoTag ? { autoTag: registered.autoTag } : {}),
      bundlePath: finalBundle,
      snapshotDir: finalSnapshot,
      size: packed.size,
      digest: packed.digest,
      mode: plan.yaml.mode,
      ...(locked
        ? { lockFile: bundleLockPath(locked.lockFileName), distributions: locked.distributions.length }
        : {}),
      ...(options.source.kind === "docker" ? { image: plan.customImage } : {}),
    };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    releaseTemp(temp);
    if (bundleWritten) await rm(finalBundle, { force: true });
    if (snapshotPlaced) await rm(finalSnapshot, { recursive: true, force: true });
    await removeEmptyDirs(created);
    throw error;
  }
}

/** Removes the directories a failed build created, deepest first, as far as they are still empty. */
async function removeEmptyDirs(created: Array<{ top: string; leaf: string }>): Promise<void> {
  for (const { top, leaf } of created) {
    for (let dir = leaf; dir.startsWith(top); dir = dirname(dir)) {
      const removed = await rmdir(dir).then(
        () => true,
        () => false,
      );
      if (!removed || dir === top) break;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
