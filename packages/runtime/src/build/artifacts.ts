// The files runtime.yaml brings into the bundle (spec §3.3 step 10): requirement and conda env files under
// `dependencies/`, wheels under `wheels/`, native files under `files/`. Each must exist and stay inside the
// YAML's directory; a missing one is an error naming it, before anything is installed or written.
import { stat } from "node:fs/promises";
import { posix, resolve } from "node:path";
import { invalidInput, notFound } from "@swhub/shared/errors";
import {
  CONDA_LOCK_FILE,
  LOCK_DIR,
  type NativeFile,
  type RuntimeYaml,
  VENV_LOCK_FILE,
} from "@swhub/shared/schemas";

export interface ArtifactCopy {
  /** Absolute source path. */
  from: string;
  /** Path inside the snapshot. */
  to: string;
  directory: boolean;
}

export interface Artifacts {
  copies: ArtifactCopy[];
  /** `artifacts.dependencies` of the manifest (the lock file is added by the build). */
  dependencies: string[];
  wheels: string[];
  files: NativeFile[];
}

const lockPaths = new Set([`${LOCK_DIR}/${VENV_LOCK_FILE}`, `${LOCK_DIR}/${CONDA_LOCK_FILE}`]);

/** A path from runtime.yaml, normalised; absolute paths and `..` escapes are refused (they'd leave the bundle). */
function relativePath(raw: string, field: string): string {
  const path = posix.normalize(raw.replace(/\\/g, "/")).replace(/^\.\//, "");
  if (posix.isAbsolute(path) || path === ".." || path.startsWith("../") || path === ".") {
    throw invalidInput(
      `runtime.yaml ${field}: "${raw}" must be a path inside the directory of runtime.yaml`,
      "move the file next to runtime.yaml and give its relative path",
    );
  }
  return path;
}

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? "dir" : info?.isFile() ? "file" : undefined;
}

export async function collectArtifacts(yaml: RuntimeYaml, baseDir: string): Promise<Artifacts> {
  const out: Artifacts = { copies: [], dependencies: [], wheels: [], files: [] };
  const seen = new Set<string>();
  const add = async (
    raw: string,
    field: string,
    into: "dependencies" | "wheels" | "files",
    dirOk: boolean,
  ) => {
    const path = relativePath(raw, field);
    const from = resolve(baseDir, path);
    const kind = await kindOf(from);
    if (!kind || (kind === "dir" && !dirOk)) {
      throw notFound(
        `runtime.yaml ${field}: ${raw} does not exist (looked for ${from})`,
        "fix the path in runtime.yaml (paths are relative to its directory), or create the file",
      );
    }
    const to = `${into}/${path}`;
    if (!seen.has(to)) out.copies.push({ from, to, directory: kind === "dir" });
    seen.add(to);
    return to;
  };
  for (const [i, dep] of yaml.dependencies.entries()) {
    switch (dep.kind) {
      case "pip_req_file":
      case "conda_env_file": {
        const field = `dependencies[${i}]`;
        if (lockPaths.has(relativePath(dep.deps, field))) {
          throw invalidInput(
            `runtime.yaml ${field}: ${dep.deps} has already been added into the runtime.yaml as the lock file`,
            "remove it from dependencies: the build locks the environment and adds the lock itself",
          );
        }
        out.dependencies.push(await add(dep.deps, field, "dependencies", false));
        break;
      }
      case "wheel":
        for (const [j, wheel] of dep.deps.entries())
          out.wheels.push(await add(wheel, `dependencies[${i}].wheels[${j}]`, "wheels", false));
        break;
      case "native_file":
        for (const [j, file] of dep.deps.entries()) {
          await add(file.src, `dependencies[${i}].files[${j}].src`, "files", true);
          out.files.push(file);
        }
        break;
    }
  }
  return out;
}
