import { stat } from "node:fs/promises";
import { AppError } from "@swhub/shared/errors";
import { parseWith, type RuntimeManifest, runtimeManifestSchema } from "@swhub/shared/schemas";
import { parse as parseYaml } from "yaml";
import { readBundleMember } from "../bundle/read";
import { runtimePython } from "./plan";

/** A runtime version to dockerize: its bundle, and the store name it goes by. */
export interface DockerizeSource {
  /** The `.swrt` file. */
  bundlePath: string;
  /** The runtime's name in its store (which may differ from the name in its runtime.yaml). */
  name: string;
  /**
   * The snapshot directory of a standalone store (`workdir/runtime/<name>/<v[:2]>/<v>`). When given, the bundle
   * is extracted there if it is not yet, and the Dockerfile is written to its `export/docker/`.
   */
  snapshotDir?: string;
  /**
   * The bundle's sha256 when the caller knows it (a server's blob store does), so layers made from a copy of the
   * same bundle at another path are found in the layer cache. Without it, the file's identity and time are used.
   */
  digest?: string;
}

/** What dockerize needs to know about the version, read from the bundle without extracting it. */
export interface RuntimeFacts {
  name: string;
  version: string;
  manifest: RuntimeManifest;
  /** Python X.Y the runtime was built for; undefined when the manifest does not say. */
  python?: string;
  /** The manifest says the bundle holds a packed environment (`export/venv_env.tar.gz`). */
  packedEnv: boolean;
  starwhaleVersion: string;
  /** Identifies the bundle's bytes for the layer cache: bundles are written once, atomically. */
  bundleStamp: string;
}

export async function readRuntime(source: DockerizeSource): Promise<RuntimeFacts> {
  const info = await stat(source.bundlePath).catch(() => {
    throw new AppError("not_found", `bundle ${source.bundlePath} does not exist`);
  });
  const text = (await readBundleMember(source.bundlePath, "_manifest.yaml")).toString("utf8");
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    throw new AppError("invalid_input", `${source.bundlePath}: _manifest.yaml is not valid YAML`);
  }
  const manifest = parseWith(runtimeManifestSchema, raw, `${source.bundlePath} _manifest.yaml`);
  // Trusted here; whether the archive really is in the bundle shows when it is unpacked.
  const packedEnv = manifest.dependencies.local_packaged_env && manifest.environment.mode === "venv";
  const python = runtimePython(manifest);
  return {
    name: source.name,
    version: manifest.version,
    manifest,
    ...(python ? { python } : {}),
    packedEnv,
    starwhaleVersion: manifest.environment.lock?.starwhale_version || manifest.build?.sw_version || "",
    bundleStamp: source.digest ?? `${manifest.version}:${info.size}:${info.mtimeMs}:${info.ino}`,
  };
}
