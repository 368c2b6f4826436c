import { compare, valid } from "@renovatebot/pep440";
import { parse as parseYaml } from "yaml";
import { CONDA_LOCK_FILE, condaLockSchema, parseVenvLock, VENV_LOCK_FILE } from "./schemas/lock";

/**
 * What changed between two runtime versions: the environment (Python, CUDA, cuDNN, arch, mode, base image) and the
 * locked packages (added, removed, upgraded, downgraded by PEP 440 ordering, or changed when versions don't order,
 * e.g. a URL pin). Pure: the server feeds it each version's manifest and lock files.
 */

export interface DiffSide {
  manifest: unknown;
  /** Lock files by path inside the bundle. */
  lockFiles: Record<string, string>;
}

export const environmentFields = ["python", "cuda", "cudnn", "arch", "mode", "image"] as const;
export type EnvironmentField = (typeof environmentFields)[number];

export interface EnvironmentChange {
  field: EnvironmentField;
  from: string;
  to: string;
}

export const packageChangeKinds = ["added", "removed", "upgraded", "downgraded", "changed"] as const;
export type PackageChangeKind = (typeof packageChangeKinds)[number];

export interface PackageChange {
  kind: PackageChangeKind;
  /** PEP 503 normal name (conda names as written), prefixed `conda:` for conda packages. */
  name: string;
  /** The pin as the lock file writes it, or null on the side that lacks it. */
  from: string | null;
  to: string | null;
}

export interface RuntimeDiff {
  environment: EnvironmentChange[];
  /** Sorted by name. */
  packages: PackageChange[];
  /** Packages pinned to the same version on both sides. */
  unchangedCount: number;
  /** Whether either side has a lock file; without one, packages can't be compared. */
  locked: { from: boolean; to: boolean };
  counts: Record<PackageChangeKind, number>;
}

/** A locked package: a normal name and what it's pinned to. */
export interface LockedPackage {
  name: string;
  /** The version, when the pin is `name==version` (pip) or `name=version[=build]` (conda). */
  version: string | null;
  /** The pin as written, for pins without a version (URLs, editables) and for display. */
  pin: string;
}

/** PEP 503: runs of `-_.` become one `-`, lower case. */
export function normalizePackageName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

const freezePin = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;#]+)/;
const urlPin = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*@\s*(\S+)/;
const eggName = /#egg=([A-Za-z0-9][A-Za-z0-9._-]*)/;

/** One `pip freeze` line as a package, or null for lines that name none. */
export function parsePipPin(line: string): LockedPackage | null {
  const text = line.trim();
  const pinned = freezePin.exec(text);
  if (pinned) return { name: normalizePackageName(pinned[1]!), version: pinned[2]!, pin: text };
  const url = urlPin.exec(text);
  if (url) return { name: normalizePackageName(url[1]!), version: null, pin: text };
  const egg = eggName.exec(text);
  if (egg) return { name: normalizePackageName(egg[1]!), version: null, pin: text };
  const bare = /^([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(text);
  return bare ? { name: normalizePackageName(bare[1]!), version: null, pin: text } : null;
}

/** A conda dependency `name=version=build` (or `channel::name=version`). */
function parseCondaPin(spec: string): LockedPackage | null {
  const text = spec.trim().replace(/^[^:\s]+::/, "");
  const [name, version] = text.split("=");
  if (!name) return null;
  return { name: `conda:${name.toLowerCase()}`, version: version || null, pin: spec.trim() };
}

/** Every package a version's lock files pin, by name; pip pins win over conda's for the same name. */
export function lockedPackages(lockFiles: Record<string, string>): Map<string, LockedPackage> {
  const out = new Map<string, LockedPackage>();
  const add = (pkg: LockedPackage | null) => {
    if (pkg) out.set(pkg.name, pkg);
  };
  for (const [path, text] of Object.entries(lockFiles)) {
    if (path.endsWith(CONDA_LOCK_FILE) || /\.ya?ml$/.test(path)) {
      const parsed = condaLockSchema.safeParse(safeYaml(text));
      if (!parsed.success) continue;
      for (const dep of parsed.data.dependencies) {
        if (typeof dep === "string") add(parseCondaPin(dep));
        else for (const line of dep.pip) add(parsePipPin(line));
      }
    } else if (path.endsWith(VENV_LOCK_FILE) || path.endsWith(".txt")) {
      for (const line of parseVenvLock(text).requirements) add(parsePipPin(line));
    }
  }
  return out;
}

function safeYaml(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return null;
  }
}

/** -1, 0 or 1 by PEP 440 when both versions parse; by conda-ish dotted numbers otherwise; null when unordered. */
export function compareVersions(a: string, b: string): number | null {
  if (a === b) return 0;
  if (valid(a) && valid(b)) return Math.sign(compare(a, b));
  const parts = (v: string) => v.split(/[.+_-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    return null;
  }
  return 0;
}

function comparePackages(from: LockedPackage, to: LockedPackage): PackageChangeKind | null {
  if (from.version !== null && to.version !== null) {
    const order = compareVersions(from.version, to.version);
    if (order === 0) return null;
    if (order === null) return "changed";
    return order < 0 ? "upgraded" : "downgraded";
  }
  return from.pin === to.pin ? null : "changed";
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const text = (value: unknown): string =>
  Array.isArray(value)
    ? value.map(String).join(", ")
    : value === undefined || value === null
      ? ""
      : String(value);

/** The environment facts a manifest records, as display strings ("" when absent). */
export function environmentOf(manifest: unknown): Record<EnvironmentField, string> {
  const m = record(manifest);
  const env = record(m.environment);
  const docker = record(m.docker);
  const builtin = record(docker.builtin_run_image);
  const configs = record(m.configs);
  const lockShell = record(record(env.lock).shell);
  return {
    python: text(lockShell.python_version) || text(env.python),
    cuda: text(env.cuda),
    cudnn: text(env.cudnn),
    arch: text(env.arch),
    mode: text(env.mode),
    image:
      text(docker.custom_run_image) ||
      text(record(configs.docker).image) ||
      text(builtin.fullname) ||
      text(m.base_image),
  };
}

/** The diff from one version to another. */
export function diffRuntimes(from: DiffSide, to: DiffSide): RuntimeDiff {
  const envFrom = environmentOf(from.manifest);
  const envTo = environmentOf(to.manifest);
  const environment = environmentFields
    .filter((field) => envFrom[field] !== envTo[field])
    .map((field) => ({ field, from: envFrom[field], to: envTo[field] }));

  const before = lockedPackages(from.lockFiles);
  const after = lockedPackages(to.lockFiles);
  const packages: PackageChange[] = [];
  let unchangedCount = 0;
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (!a) packages.push({ kind: "added", name, from: null, to: b!.version ?? b!.pin });
    else if (!b) packages.push({ kind: "removed", name, from: a.version ?? a.pin, to: null });
    else {
      const kind = comparePackages(a, b);
      if (kind === null) unchangedCount++;
      else packages.push({ kind, name, from: a.version ?? a.pin, to: b.version ?? b.pin });
    }
  }
  packages.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const counts = Object.fromEntries(packageChangeKinds.map((k) => [k, 0])) as Record<
    PackageChangeKind,
    number
  >;
  for (const change of packages) counts[change.kind]++;
  return {
    environment,
    packages,
    unchangedCount,
    locked: { from: Object.keys(from.lockFiles).length > 0, to: Object.keys(to.lockFiles).length > 0 },
    counts,
  };
}
