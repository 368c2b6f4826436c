import { isAppError } from "@swhub/shared/errors";
import { formatPlatform } from "../oci/types";
import { resolveBase } from "./base";
import { runtimeLabels } from "./image-config";
import { planInstall } from "./install-plan";
import { type DockerizeOptions, type ResolvedOutputs, resolveOutputs } from "./options";
import { imagePypiEnv } from "./pip-options";
import {
  type BaseImageChoice,
  checkRuntimeArch,
  chooseBaseImage,
  imageEnvPrefix,
  imageTags,
  imageWorkdir,
  parseTargetPlatforms,
} from "./plan";
import { createClientPool } from "./registries";
import { type DockerizeSource, readRuntime } from "./runtime-source";
import { dockerfileFor, prepareSnapshot } from "./snapshot";

export interface DockerizePlan {
  name: string;
  version: string;
  python: string;
  base: BaseImageChoice & {
    /** The digest the base's tag points at now; absent when the registry could not be asked. */
    digest?: string;
    /** Why the digest is unknown. */
    problem?: string;
  };
  platforms: string[];
  tags: string[];
  layers: { kind: "bundle" | "env"; path: string; from: string }[];
  labels: Record<string, string>;
  outputs: ResolvedOutputs;
  /** The equivalent Dockerfile (Starwhale's, spec §6.2). */
  dockerfile: string;
  /** Where it was written, with a snapshot. */
  dockerfilePath?: string;
  /** What the build would not do (commands it cannot run, conda dependencies in a venv runtime). */
  notes: string[];
}

/**
 * What `dockerizeRuntime` would do with these options, without building or pushing: the same checks (tags,
 * platforms, the runtime's arch), the base and its current digest when the registry answers, the layers, and the
 * Dockerfile, which is also written to the snapshot's `export/docker/` as Starwhale does on a dry run.
 */
export async function planDockerize(
  source: DockerizeSource,
  options: DockerizeOptions = {},
): Promise<DockerizePlan> {
  const runtime = await readRuntime(source);
  const tags = imageTags(options.tags ?? [], runtime.manifest, runtime.version, {
    configuredImage: options.configuredImage,
  });
  const platforms = parseTargetPlatforms(options.platforms ?? []);
  for (const platform of platforms) checkRuntimeArch(runtime.manifest, runtime.name, platform);
  const outputs = resolveOutputs(source, options, platforms);
  const base: DockerizePlan["base"] = chooseBaseImage(runtime.manifest, options.base);
  const pypiEnv = imagePypiEnv(runtime.manifest, options.pypi);
  const install = planInstall(runtime.manifest, imageWorkdir);

  const pool = createClientPool(options.registries);
  try {
    base.digest = (await resolveBase(pool, base.reference)).digest;
  } catch (error) {
    base.problem = isAppError(error) ? error.message : String(error);
  } finally {
    await pool.close();
  }

  const { snapshotDir } = source;
  const dockerfilePath = snapshotDir
    ? await prepareSnapshot({ ...source, snapshotDir }, runtime, base.reference, pypiEnv)
    : undefined;
  const lockFiles = runtime.manifest.environment.lock?.files ?? [];
  const pipFrom = lockFiles.length
    ? `the lock (${lockFiles.join(", ")})`
    : `${install.requirements.filter((r) => r !== "-r").length} requirement(s)`;
  return {
    name: runtime.name,
    version: runtime.version,
    python: runtime.python ?? "",
    base,
    platforms: platforms.map(formatPlatform),
    tags,
    layers: [
      {
        kind: "bundle",
        path: imageWorkdir,
        from: "the bundle, without export/venv, export/conda, .git and packed envs",
      },
      {
        kind: "env",
        path: imageEnvPrefix,
        from: runtime.manifest.packed_env_layer
          ? "the packed environment (export/venv_env.tar.gz) as it is, plus its links to the base's Python; pip where it does not fit a platform"
          : runtime.packedEnv
            ? "the packed environment (export/venv_env.tar.gz), relocated; pip where it does not fit a platform"
            : `pip install --target of ${pipFrom} for each platform, on this machine`,
      },
    ],
    labels: runtimeLabels(runtime.name, runtime.version),
    outputs,
    dockerfile: dockerfileFor(runtime, base.reference, pypiEnv),
    ...(dockerfilePath ? { dockerfilePath } : {}),
    notes: install.notes,
  };
}
