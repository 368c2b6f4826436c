// PEP 503 names and PEP 440 versions and specifiers, with the semantics of the `packaging` 21.3 that pip 23
// vendors: pip's freeze prints versions in this normal form, and pip check compares with these rules.
import { compare, explain } from "@renovatebot/pep440";

export type Pep440Version = NonNullable<ReturnType<typeof explain>>;

/** PEP 503: runs of `-_.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

export function parseVersion(version: string): Pep440Version | null {
  return explain(version.trim());
}

/** `str(Version(v))`: the normal form (`1.0-Alpha` → `1.0a0`), or null for a version PEP 440 rejects. */
export function normalizeVersion(version: string): string | null {
  const parsed = parseVersion(version);
  if (!parsed) return null;
  return parsed.local ? `${parsed.public}+${parsed.local}` : parsed.public;
}

/** How pip prints an installed version: normalised, or as written when it is not PEP 440. */
export function displayVersion(version: string): string {
  return normalizeVersion(version) ?? version;
}

export interface SpecifierClause {
  operator: string;
  version: string;
}

const clausePattern = /^\s*(===|~=|==|!=|<=|>=|<|>)\s*(\S+)\s*$/;

/** Parses `>=1.0,<2` (a PEP 440 specifier set). Returns null when a clause is not valid PEP 440. */
export function parseSpecifierSet(text: string): SpecifierClause[] | null {
  if (!text.trim()) return [];
  const clauses: SpecifierClause[] = [];
  for (const part of text.split(",")) {
    const match = clausePattern.exec(part);
    if (!match) return null;
    const clause = { operator: match[1]!, version: match[2]! };
    if (!isValidClause(clause)) return null;
    clauses.push(clause);
  }
  return clauses;
}

function isValidClause({ operator, version }: SpecifierClause): boolean {
  if (operator === "===") return true;
  const wildcard = version.endsWith(".*");
  if (wildcard && operator !== "==" && operator !== "!=") return false;
  const parsed = parseVersion(wildcard ? version.slice(0, -2) : version);
  if (!parsed) return false;
  if (wildcard && (parsed.dev !== null || parsed.local !== null || parsed.post !== null)) return false;
  if (parsed.local && operator !== "==" && operator !== "!=") return false;
  if (operator === "~=" && parsed.release.length < 2) return false;
  return true;
}

/** `Specifier.prereleases` when not set explicitly: inclusive operators on a pre-release admit pre-releases. */
function clauseAllowsPrereleases({ operator, version }: SpecifierClause): boolean {
  if (!["==", ">=", "<=", "~=", "==="].includes(operator)) return false;
  const base = operator === "==" && version.endsWith(".*") ? version.slice(0, -2) : version;
  return parseVersion(base)?.is_prerelease ?? false;
}

/**
 * `SpecifierSet.contains(version, prereleases)`. pip check passes `prereleases: true`; markers pass nothing, so a
 * pre-release only matches a clause that names a pre-release.
 */
export function specifierContains(
  clauses: SpecifierClause[],
  version: string,
  prereleases?: boolean,
): boolean {
  const parsed = parseVersion(version);
  const allow = prereleases ?? clauses.some(clauseAllowsPrereleases);
  if (parsed?.is_prerelease && !allow) return false;
  return clauses.every((clause) => clauseContains(clause, version, parsed, allow));
}

function clauseContains(
  clause: SpecifierClause,
  raw: string,
  version: Pep440Version | null,
  prereleases: boolean,
): boolean {
  // A version PEP 440 rejects only ever matches `===`.
  if (clause.operator === "===")
    return (normalizeVersion(raw) ?? raw).toLowerCase() === clause.version.toLowerCase();
  if (!version) return false;
  if (version.is_prerelease && !prereleases) return false;
  const full = normalizeVersion(raw)!;
  const spec = clause.version;
  switch (clause.operator) {
    case "==":
      return matchesEqual(version, full, spec);
    case "!=":
      return !matchesEqual(version, full, spec);
    case "<=":
      return compare(version.public, spec) <= 0;
    case ">=":
      return compare(version.public, spec) >= 0;
    case "<":
      return lessThan(version, full, spec);
    case ">":
      return greaterThan(version, full, spec);
    case "~=":
      return compare(version.public, spec) >= 0 && matchesEqual(version, full, compatiblePrefix(spec));
    default:
      return false;
  }
}

function matchesEqual(version: Pep440Version, full: string, spec: string): boolean {
  if (spec.endsWith(".*")) {
    const specParts = splitVersion(spec.slice(0, -2));
    const candidate = splitVersion(version.public).slice(0, specParts.length);
    const [left, right] = padVersion(specParts, candidate);
    return left.length === right.length && left.every((part, i) => part === right[i]);
  }
  const specVersion = parseVersion(spec)!;
  return compare(specVersion.local ? full : version.public, spec) === 0;
}

function lessThan(version: Pep440Version, full: string, spec: string): boolean {
  if (!(compare(full, spec) < 0)) return false;
  const specVersion = parseVersion(spec)!;
  // `<1.0` excludes 1.0rc1: a pre-release of the bound itself is not "less than" it.
  return (
    specVersion.is_prerelease ||
    !version.is_prerelease ||
    compare(version.base_version, specVersion.base_version) !== 0
  );
}

function greaterThan(version: Pep440Version, full: string, spec: string): boolean {
  if (!(compare(full, spec) > 0)) return false;
  const specVersion = parseVersion(spec)!;
  const sameBase = compare(version.base_version, specVersion.base_version) === 0;
  // `>1.0` excludes 1.0.post1 and 1.0+local.
  if (!specVersion.is_postrelease && version.is_postrelease && sameBase) return false;
  return !(version.local !== null && sameBase);
}

// `~=1.4.5` → `1.4.*`: drop the suffixes, then the last release segment.
function compatiblePrefix(spec: string): string {
  const parts = splitVersion(spec);
  const kept: string[] = [];
  for (const part of parts) {
    if (/^(dev|a|b|rc|post)/.test(part)) break;
    kept.push(part);
  }
  return `${kept.slice(0, -1).join(".")}.*`;
}

// packaging's `_version_split`: "1.4rc1" → ["1", "4", "rc1"].
function splitVersion(version: string): string[] {
  const parts: string[] = [];
  for (const item of version.split(".")) {
    const match = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (match) parts.push(match[1]!, match[2]!);
    else parts.push(item);
  }
  return parts;
}

function padVersion(left: string[], right: string[]): [string[], string[]] {
  const numeric = (parts: string[]) => {
    let n = 0;
    while (n < parts.length && /^\d+$/.test(parts[n]!)) n++;
    return n;
  };
  const l = numeric(left);
  const r = numeric(right);
  const pad = (parts: string[], count: number, to: number) => [
    ...parts.slice(0, count),
    ...Array<string>(Math.max(0, to - count)).fill("0"),
    ...parts.slice(count),
  ];
  return [pad(left, l, r), pad(right, r, l)];
}
