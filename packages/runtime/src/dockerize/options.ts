import { join } from "node:path";
import { AppError, invalidInput } from "@swhub/shared/errors";
import type { ProgressSink } from "@swhub/shared/progress";
import type { Platform } from "../oci/types";
import type { EnvSettings } from "./layers";
import type { PypiSettings } from "./pip-options";
import type { BaseImageSettings } from "./plan";
import type { RegistrySettings } from "./registries";
import type { DockerizeSource } from "./runtime-source";

/**
 * Everything a dockerize can be told. swcli fills it from its flags, environment and config; a worker job from
 * the job's payload and the server's settings. Nothing here is read from `process.env`.
 */
export interface DockerizeOptions {
  /** Image references to tag (`registry/repo:tag`); `configs.docker.image` adds `<repo>:<version>`. */
  tags?: readonly string[];
  /**
   * Whether `configs.docker.image` adds its tag (default true). A server pushes only to its own registry, so it
   * turns this off: a runtime's yaml must not make it push elsewhere.
   */
  configuredImage?: boolean;
  /** `amd64`, `arm64` (or `linux/…`); several give an OCI index. Default amd64. */
  platforms?: readonly string[];
  /** Push to the registries the tags name. */
  push?: boolean;
  /** Also write an OCI image layout here. Without push or archive, default `<snapshot>/export/docker/oci`. */
  ociLayout?: string;
  /** Also write a `docker load` tar here (one platform only). */
  dockerArchive?: string;
  /**
   * Blob store and layer cache: an OCI layout that persists between runs, so a second dockerize of a version
   * reuses its layers. Default `<snapshot>/export/docker/cache`; required without a snapshot.
   */
  workDir?: string;
  base?: BaseImageSettings;
  /** The base image's interpreter, e.g. `/usr/bin/python3.11`, when it cannot be found by looking. */
  basePython?: string;
  registries?: RegistrySettings;
  /** `SW_PYPI_*`: for pip, and written into the image as Starwhale does. */
  pypi?: PypiSettings;
  env?: EnvSettings;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface ResolvedOutputs {
  push: boolean;
  ociLayout?: string;
  dockerArchive?: string;
  workDir: string;
}

export function dockerDir(snapshotDir: string): string {
  return join(snapshotDir, "export", "docker");
}

export function resolveOutputs(
  source: DockerizeSource,
  options: DockerizeOptions,
  platforms: Platform[],
): ResolvedOutputs {
  const push = options.push ?? false;
  const snapshot = source.snapshotDir;
  const workDir = options.workDir ?? (snapshot ? join(dockerDir(snapshot), "cache") : undefined);
  if (!workDir) throw new AppError("internal", "dockerize needs a work directory when there is no snapshot");
  let ociLayout = options.ociLayout;
  if (!push && !ociLayout && !options.dockerArchive) {
    if (!snapshot)
      throw invalidInput("nothing to write: push the image, or name an OCI layout or docker archive");
    ociLayout = join(dockerDir(snapshot), "oci");
  }
  if (options.dockerArchive && platforms.length > 1) {
    throw invalidInput(
      `a docker archive holds one platform, and ${platforms.length} were asked for`,
      "pass a single --platform, or write --oci-layout, which holds them all",
    );
  }
  return {
    push,
    ...(ociLayout ? { ociLayout } : {}),
    ...(options.dockerArchive ? { dockerArchive: options.dockerArchive } : {}),
    workDir,
  };
}
