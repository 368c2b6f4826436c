// PEP 508 requirements (`name[extra]>=1,<2; python_version < "3.8"`, `name @ url ; marker`).
import { invalidInput } from "@swhub/shared/errors";
import { formatMarker, type MarkerList, parseMarker } from "./markers";
import { parseSpecifierSet, type SpecifierClause } from "./pep440";

export interface Requirement {
  name: string;
  extras: string[];
  /** Clauses as written, `op` + version, e.g. [">=1.0", "<2"]. */
  specifier: string[];
  /** The parsed clauses, or null when one is not PEP 440 (a legacy specifier pip only warns about). */
  clauses: SpecifierClause[] | null;
  url?: string;
  marker?: MarkerList;
}

const namePattern = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const clausePattern = /^(===|~=|==|!=|<=|>=|<|>)\s*([^,;\s)]+)/;

export function parseRequirement(text: string): Requirement {
  const fail = (reason: string): never => {
    throw invalidInput(`invalid requirement "${text}": ${reason}`);
  };
  let rest = text.trimStart();
  const name = namePattern.exec(rest)?.[0] ?? fail("expected a project name");
  rest = rest.slice(name.length).trimStart();

  const extras: string[] = [];
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0) fail("unclosed [");
    for (const extra of rest.slice(1, end).split(",")) {
      const trimmed = extra.trim();
      if (!trimmed) continue;
      if (namePattern.exec(trimmed)?.[0] !== trimmed) fail(`bad extra "${trimmed}"`);
      extras.push(trimmed);
    }
    rest = rest.slice(end + 1).trimStart();
  }

  const requirement: Requirement = { name, extras, specifier: [], clauses: [] };
  if (rest.startsWith("@")) {
    rest = rest.slice(1).trimStart();
    const url = /^[^ ]+/.exec(rest)?.[0] ?? fail("expected a URL after @");
    requirement.url = url;
    rest = rest.slice(url.length).trimStart();
  } else {
    const parenthesised = rest.startsWith("(");
    if (parenthesised) rest = rest.slice(1).trimStart();
    for (;;) {
      const match = clausePattern.exec(rest);
      if (!match) break;
      requirement.specifier.push(`${match[1]}${match[2]}`);
      rest = rest.slice(match[0].length).trimStart();
      if (!rest.startsWith(",")) break;
      rest = rest.slice(1).trimStart();
    }
    if (parenthesised) {
      if (!rest.startsWith(")")) fail("unclosed (");
      rest = rest.slice(1).trimStart();
    }
    requirement.clauses = parseSpecifierSet(requirement.specifier.join(","));
  }

  if (rest.startsWith(";")) {
    requirement.marker = parseMarker(rest.slice(1));
    rest = "";
  }
  if (rest.trim()) fail(`unexpected "${rest.trim()}"`);
  return requirement;
}

/** `str(Requirement)` as pip prints it: extras and clauses sorted, markers normalised. */
export function formatRequirement(requirement: Requirement): string {
  let text = requirement.name;
  if (requirement.extras.length > 0) text += `[${[...requirement.extras].sort().join(",")}]`;
  if (requirement.specifier.length > 0) text += [...requirement.specifier].sort().join(",");
  if (requirement.url) text += `@ ${requirement.url}${requirement.marker ? " " : ""}`;
  if (requirement.marker) text += `; ${formatMarker(requirement.marker)}`;
  return text;
}
