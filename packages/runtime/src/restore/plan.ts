import { isAbsolute, join, relative, resolve } from "node:path";
import { AppError } from "@swhub/shared/errors";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import type { PipTarget } from "./pip-options";

/*
 * What a restore installs, in order, decided from the manifest alone (spec §4.1 step 2c):
 * - with lock files: `setup_requires`, then every `command`, then the lock files, then native files and wheels in
 *   the order the runtime lists them. Other pip and conda entries are in the lock already.
 * - without: `setup_requires`, then every raw dependency in order.
 * Paths come from the bundle, which may be hostile: each must stay inside the directory it belongs to.
 */

export type Mode = "venv" | "conda";

export type InstallStep =
  | { kind: "pip"; targets: PipTarget[] }
  | { kind: "conda-install"; packages: string[] }
  | { kind: "conda-env-update"; file: string }
  | { kind: "native-file"; src: string; dest: string }
  | { kind: "command"; command: string }
  /** Something the runtime lists that this restore leaves out, and why. */
  | { kind: "skip"; what: string; reason: string };

export interface PlanOptions {
  /** The extracted runtime. */
  workdir: string;
  /** Where the environment goes (`<workdir>/export/<mode>`). */
  prefix: string;
  /** Inside a runtime container (`SW_CONTAINER=1`): absolute native-file destinations are used as given. */
  container: boolean;
  /** Run `commands` entries (`SW_CONTAINER=1` or `SW_RUNTIME_FORCE_RUN_COMMAND=1`). */
  runCommands: boolean;
  /** Relative native-file destinations in a container are relative to this directory. */
  cwd?: string;
}

interface RawDep {
  kind: string;
  deps: unknown;
}

export function planInstall(manifest: RuntimeManifest, options: PlanOptions): InstallStep[] {
  const mode = manifest.environment.mode;
  const raw = rawDependencies(manifest);
  const setupRequires = manifest.dependencies.setup_requires.map((dep, i) =>
    asRawDep(dep, `dependencies.setup_requires[${i}]`),
  );
  const lockFiles = manifest.environment.lock?.files ?? [];
  const steps = setupRequires.flatMap((dep, i) => stepsFor(dep, `setup_requires[${i}]`, mode, options));
  if (lockFiles.length > 0) {
    raw.forEach((dep, i) => {
      if (dep.kind === "command") steps.push(...stepsFor(dep, `raw_deps[${i}]`, mode, options));
    });
    for (const file of lockFiles) {
      const kind = /\.ya?ml$/.test(file) ? "conda_env_file" : "pip_req_file";
      steps.push(...stepsFor({ kind, deps: file }, "environment.lock.files", mode, options));
    }
    raw.forEach((dep, i) => {
      if (dep.kind === "native_file" || dep.kind === "wheel")
        steps.push(...stepsFor(dep, `raw_deps[${i}]`, mode, options));
    });
  } else {
    raw.forEach((dep, i) => {
      steps.push(...stepsFor(dep, `raw_deps[${i}]`, mode, options));
    });
  }
  return steps;
}

/** `raw_deps`, or for bundles of Starwhale clients before 0.3 (no raw_deps), the aggregated lists. */
function rawDependencies(manifest: RuntimeManifest): RawDep[] {
  const deps = manifest.dependencies;
  if (deps.raw_deps) return deps.raw_deps.map((dep, i) => asRawDep(dep, `dependencies.raw_deps[${i}]`));
  return [
    ...deps.pip_files.map((file) => ({ kind: "pip_req_file", deps: file })),
    ...(deps.pip_pkgs.length > 0 ? [{ kind: "pip_pkg", deps: deps.pip_pkgs }] : []),
    ...deps.conda_files.map((file) => ({ kind: "conda_env_file", deps: file })),
    ...(deps.conda_pkgs.length > 0 ? [{ kind: "conda_pkg", deps: deps.conda_pkgs }] : []),
  ];
}

function asRawDep(value: unknown, where: string): RawDep {
  const dep = value as Partial<RawDep> | null;
  if (!dep || typeof dep !== "object" || typeof dep.kind !== "string") {
    throw damaged(where, "expected {kind, deps}");
  }
  return { kind: dep.kind, deps: dep.deps };
}

function damaged(where: string, reason: string): AppError {
  return new AppError(
    "invalid_input",
    `the runtime's _manifest.yaml is damaged: ${where}: ${reason}`,
    "build the runtime again",
  );
}

function strings(dep: RawDep, where: string): string[] {
  const list = Array.isArray(dep.deps) ? dep.deps : [dep.deps];
  if (!list.every((item) => typeof item === "string")) throw damaged(where, `${dep.kind} expects strings`);
  return (list as string[]).map((s) => s.trim()).filter(Boolean);
}

function stepsFor(dep: RawDep, where: string, mode: Mode, options: PlanOptions): InstallStep[] {
  const { workdir } = options;
  switch (dep.kind) {
    case "pip_pkg": {
      const specs = strings(dep, where);
      return specs.length
        ? [{ kind: "pip", targets: specs.map((spec) => ({ kind: "requirement", spec })) }]
        : [];
    }
    case "pip_req_file":
      return strings(dep, where).map((file) => ({
        kind: "pip",
        targets: [{ kind: "requirements-file", path: inside(join(workdir, "dependencies"), file, where) }],
      }));
    case "wheel": {
      const paths = strings(dep, where).map((file) => inside(join(workdir, "wheels"), file, where));
      return paths.length ? [{ kind: "pip", targets: paths.map((path) => ({ kind: "wheel", path })) }] : [];
    }
    case "conda_pkg": {
      const packages = strings(dep, where);
      if (packages.length === 0) return [];
      if (mode !== "conda")
        return [skip(`conda packages ${packages.join(" ")}`, "a venv runtime has no conda")];
      return [{ kind: "conda-install", packages }];
    }
    case "conda_env_file":
      return strings(dep, where).map((file) =>
        mode === "conda"
          ? { kind: "conda-env-update", file: inside(join(workdir, "dependencies"), file, where) }
          : skip(`conda environment file ${file}`, "a venv runtime has no conda"),
      );
    case "native_file":
      return nativeFiles(dep, where, options);
    case "command":
      return strings(dep, where).map((command) =>
        options.runCommands
          ? { kind: "command", command }
          : skip(
              `command \`${command}\``,
              "commands run only in a runtime container (SW_CONTAINER=1 or SW_RUNTIME_FORCE_RUN_COMMAND=1)",
            ),
      );
    default:
      throw damaged(where, `unknown dependency kind "${dep.kind}"`);
  }
}

function skip(what: string, reason: string): InstallStep {
  return { kind: "skip", what, reason };
}

function nativeFiles(dep: RawDep, where: string, options: PlanOptions): InstallStep[] {
  if (!Array.isArray(dep.deps)) throw damaged(where, "native_file expects a list of {src, dest}");
  return dep.deps.map((item, i) => {
    const file = item as { src?: unknown; dest?: unknown } | null;
    if (!file || typeof file.src !== "string" || typeof file.dest !== "string" || !file.src || !file.dest) {
      throw damaged(`${where}.deps[${i}]`, "expected {src, dest}");
    }
    const src = inside(join(options.workdir, "files"), file.src, `${where}.deps[${i}].src`);
    let dest: string;
    if (options.container && isAbsolute(file.dest)) dest = file.dest;
    else if (options.container) dest = resolve(options.cwd ?? options.prefix, file.dest);
    // On a host, every destination is inside the environment, an absolute one included (as Starwhale does).
    else dest = inside(options.prefix, file.dest.replace(/^\/+/, ""), `${where}.deps[${i}].dest`);
    return { kind: "native-file", src, dest };
  });
}

/** `base/path`, refused when `path` leaves `base` (`../x`, an absolute path). */
export function inside(base: string, path: string, where: string): string {
  const full = resolve(base, path);
  const rel = relative(base, full);
  if (isAbsolute(path) || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) {
    throw new AppError(
      "invalid_input",
      `the runtime's _manifest.yaml names "${path}" (${where}), which is outside ${base}`,
      "the bundle may have been tampered with; get it again from a trusted source",
    );
  }
  return full;
}
