import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { extractBundle } from "../bundle/extract";
import { writeAtomic } from "../oci/layout";
import { dockerIgnore, renderDockerfile } from "./dockerfile";
import { dockerDir } from "./options";
import type { DockerizeSource, RuntimeFacts } from "./runtime-source";

/** The Dockerfile Starwhale would build this runtime with (spec §6.2). */
export function dockerfileFor(
  runtime: RuntimeFacts,
  baseImage: string,
  pypiEnv: Record<string, string>,
): string {
  return renderDockerfile({
    baseImage,
    name: runtime.name,
    version: runtime.version,
    mode: runtime.manifest.environment.mode,
    localPackagedEnv: runtime.manifest.dependencies.local_packaged_env,
    python: runtime.python ?? "",
    starwhaleVersion: runtime.starwhaleVersion,
    pypi: pypiEnv,
  });
}

/**
 * Extracts the bundle into the snapshot directory if it is not there yet (as Starwhale does before a build),
 * and writes `export/docker/Dockerfile`. Returns the Dockerfile's path.
 */
export async function prepareSnapshot(
  source: DockerizeSource & { snapshotDir: string },
  runtime: RuntimeFacts,
  baseImage: string,
  pypiEnv: Record<string, string>,
  options: { dockerIgnore?: boolean } = {},
): Promise<string> {
  await extractBundle(source.bundlePath, source.snapshotDir);
  const dir = dockerDir(source.snapshotDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, "Dockerfile");
  await writeAtomic(path, dockerfileFor(runtime, baseImage, pypiEnv));
  if (options.dockerIgnore)
    await writeFile(join(source.snapshotDir, ".dockerignore"), `${dockerIgnore.join("\n")}\n`);
  return path;
}
