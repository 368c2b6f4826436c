import { posix } from "node:path";
import { AppError, invalidInput } from "@swhub/shared/errors";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { imageWorkdir } from "./plan";

/*
 * What a venv runtime's environment is made of (spec §4.1), as pip arguments for one `pip install`: with lock
 * files, the setup_requires entries, the lock files and the wheels (the lock holds the rest); without, every
 * pip dependency in order. Native files are copied where restore in a container puts them. Commands cannot run
 * without running the image, so they are reported, not run.
 */

export interface InstallPlan {
  /** pip arguments after `install`: `-r FILE`, wheel paths, requirement specs (paths inside `bundleDir`). */
  requirements: string[];
  /** Files or directories to copy: `src` inside the bundle, `dest` absolute in the image. */
  nativeFiles: { src: string; dest: string }[];
  /** Things the user should know were not done. */
  notes: string[];
}

type RawDep = { kind: string; deps?: unknown };

export function planInstall(manifest: RuntimeManifest, bundleDir: string): InstallPlan {
  if (manifest.environment.mode === "conda") {
    throw invalidInput(
      "conda runtimes cannot be dockerized by the native builder yet",
      "use --builder buildx where a Docker daemon runs, or build the runtime in venv mode",
    );
  }
  const raw = manifest.dependencies.raw_deps as RawDep[] | undefined;
  const lockFiles = manifest.environment.lock?.files ?? [];
  if (!raw && lockFiles.length === 0) {
    throw new AppError(
      "invalid_input",
      "the runtime's manifest has no raw_deps: it was built by a swcli too old to dockerize from",
      "rebuild the runtime with a newer swcli",
    );
  }
  const plan: InstallPlan = { requirements: [], nativeFiles: [], notes: [] };
  const inBundle = (...parts: string[]) => posix.join(bundleDir, ...parts);
  const strings = (deps: unknown): string[] =>
    (Array.isArray(deps) ? deps : [deps]).filter(
      (d): d is string => typeof d === "string" && d.trim() !== "",
    );

  for (const entry of manifest.dependencies.setup_requires as RawDep[]) {
    if (entry?.kind === "pip_pkg") plan.requirements.push(...strings(entry.deps));
  }
  if (lockFiles.length > 0) {
    for (const file of lockFiles) {
      if (!file.endsWith(".txt")) {
        throw invalidInput(`lock file ${file} is a conda lock, which a venv runtime cannot install`);
      }
      plan.requirements.push("-r", inBundle("dependencies", file));
    }
  }
  for (const entry of raw ?? []) {
    switch (entry.kind) {
      case "pip_pkg":
        if (lockFiles.length === 0) plan.requirements.push(...strings(entry.deps));
        break;
      case "pip_req_file":
        if (lockFiles.length === 0) {
          for (const file of strings(entry.deps))
            plan.requirements.push("-r", inBundle("dependencies", file));
        }
        break;
      case "wheel":
        for (const wheel of strings(entry.deps)) plan.requirements.push(inBundle("wheels", wheel));
        break;
      case "native_file":
        for (const file of (Array.isArray(entry.deps) ? entry.deps : []) as {
          src?: string;
          dest?: string;
        }[]) {
          if (!file?.src || !file.dest) continue;
          plan.nativeFiles.push({ src: inBundle("files", file.src), dest: imagePath(file.dest) });
        }
        break;
      case "command":
        plan.notes.push(
          `the runtime's commands (${strings(entry.deps).join("; ")}) were not run: the native builder never runs the image; use --builder buildx to run them`,
        );
        break;
      case "conda_pkg":
      case "conda_env_file":
        plan.notes.push(
          `conda dependencies (${strings(entry.deps).join(", ")}) are skipped in a venv runtime`,
        );
        break;
    }
  }
  return plan;
}

/** In a container, restore puts a native file at `dest` as given: absolute, or relative to the work dir. */
function imagePath(dest: string): string {
  const path = posix.normalize(dest.startsWith("/") ? dest : `${imageWorkdir}/${dest}`);
  if (path === "/" || path.includes("\0"))
    throw invalidInput(`native file destination "${dest}" is not a file path`);
  return path;
}
