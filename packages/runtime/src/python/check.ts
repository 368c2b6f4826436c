// `pip check` without pip: every installed distribution's requirements against what is installed, reported in
// pip's words and order. Starwhale refuses to build from an environment that fails it (issue #2202).
import type { Distribution } from "./distributions";
import { evaluateMarker, type MarkerEnvironment } from "./markers";
import { displayVersion, normalizeName, normalizeVersion, specifierContains } from "./pep440";
import { formatRequirement, parseRequirement, type Requirement } from "./requirement";

export type CheckProblem =
  | {
      kind: "missing";
      project: string;
      version: string;
      dependency: string;
      requirement: string;
      message: string;
    }
  | {
      kind: "conflict";
      project: string;
      version: string;
      dependency: string;
      installedVersion: string;
      requirement: string;
      message: string;
    }
  | { kind: "unreadable"; project: string; error: string; message: string };

export interface CheckResult {
  ok: boolean;
  problems: CheckProblem[];
  /** Exactly what `pip check` prints on stdout. */
  output: string;
}

interface PackageDetails {
  version: string;
  dependencies: Requirement[];
}

/** `iter_dependencies()` with no extras: requirements without a marker, or whose marker holds with `extra == ""`. */
function dependenciesOf(dist: Distribution, environment: MarkerEnvironment): Requirement[] {
  const env = { ...environment, extra: "" };
  return dist.requires
    .map((text) => parseRequirement(text))
    .filter((requirement) => !requirement.marker || evaluateMarker(requirement.marker, env));
}

// pip sorts each package's findings by the repr of tuples such as ('b', <Requirement('b>=2')>).
const pyRepr = (text: string) => `'${text}'`;
const versionClass = (version: string) => (normalizeVersion(version) === null ? "LegacyVersion" : "Version");

export function checkDistributions(
  distributions: Distribution[],
  environment: MarkerEnvironment,
): CheckResult {
  const packages = new Map<string, PackageDetails>();
  const problems: CheckProblem[] = [];
  for (const dist of distributions) {
    try {
      packages.set(dist.canonicalName, {
        version: dist.version,
        dependencies: dependenciesOf(dist, environment),
      });
    } catch (error) {
      // pip logs these to stderr, leaves the package out and fails the check.
      const message = `Error parsing requirements for ${dist.canonicalName}: ${(error as Error).message}`;
      problems.push({
        kind: "unreadable",
        project: dist.canonicalName,
        error: (error as Error).message,
        message,
      });
    }
  }

  const missing: CheckProblem[] = [];
  const conflicting: CheckProblem[] = [];
  for (const [project, details] of packages) {
    const version = displayVersion(details.version);
    const ownMissing: Array<{ key: string; problem: CheckProblem }> = [];
    const ownConflicts: Array<{ key: string; problem: CheckProblem }> = [];
    for (const req of details.dependencies) {
      const dependency = normalizeName(req.name);
      const requirement = formatRequirement(req);
      const installed = packages.get(dependency);
      if (!installed) {
        const message = `${project} ${version} requires ${dependency}, which is not installed.`;
        ownMissing.push({
          key: `(${pyRepr(dependency)}, <Requirement(${pyRepr(requirement)})>)`,
          problem: { kind: "missing", project, version, dependency, requirement, message },
        });
        continue;
      }
      // A specifier that is not PEP 440 cannot be judged; pip only warns about those.
      if (req.clauses === null || specifierContains(req.clauses, installed.version, true)) continue;
      const installedVersion = displayVersion(installed.version);
      const message = `${project} ${version} has requirement ${requirement}, but you have ${dependency} ${installedVersion}.`;
      ownConflicts.push({
        key: `(${pyRepr(dependency)}, <${versionClass(installed.version)}(${pyRepr(installedVersion)})>, <Requirement(${pyRepr(requirement)})>)`,
        problem: { kind: "conflict", project, version, dependency, installedVersion, requirement, message },
      });
    }
    const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    missing.push(...ownMissing.sort(byKey).map(({ problem }) => problem));
    conflicting.push(...ownConflicts.sort(byKey).map(({ problem }) => problem));
  }

  const reported = [...missing, ...conflicting];
  const all = [...problems, ...reported];
  const ok = all.length === 0;
  const output = ok ? "No broken requirements found.\n" : reported.map((p) => `${p.message}\n`).join("");
  return { ok, problems: all, output };
}
