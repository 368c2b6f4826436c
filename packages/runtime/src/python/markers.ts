// PEP 508 environment markers: parse, evaluate and print them as `packaging` 21.3 (vendored by pip 23) does,
// because pip check's messages contain the printed form.
import { arch, machine, version as osVersion, release, type } from "node:os";
import { invalidInput } from "@swhub/shared/errors";
import { parseSpecifierSet, specifierContains } from "./pep440";

export type MarkerOperand = { variable: string } | { value: string };
export type MarkerItem = { left: MarkerOperand; op: string; right: MarkerOperand };
/** A flat list as pyparsing leaves it: items or parenthesised groups, separated by "and" / "or". */
export type MarkerList = Array<MarkerItem | MarkerList | "and" | "or">;

const aliases: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};

const variables = [
  "implementation_version",
  "platform_python_implementation",
  "implementation_name",
  "python_full_version",
  "platform_release",
  "platform_version",
  "platform_machine",
  "platform_system",
  "python_version",
  "sys_platform",
  "os_name",
  "os.name",
  "sys.platform",
  "platform.version",
  "platform.machine",
  "platform.python_implementation",
  "python_implementation",
  "extra",
];

const operators = ["===", "==", ">=", "<=", "!=", "~=", ">", "<", "not in", "in"];

class MarkerParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): MarkerList {
    const list = this.expression();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail("unexpected text");
    return list;
  }

  private expression(): MarkerList {
    const list: MarkerList = [this.atom()];
    for (;;) {
      this.skipSpace();
      const op = /^(and|or)(?![A-Za-z0-9_])/.exec(this.text.slice(this.pos))?.[1];
      if (!op) return list;
      this.pos += op.length;
      list.push(op as "and" | "or", ...this.expression());
    }
  }

  private atom(): MarkerItem | MarkerList {
    this.skipSpace();
    if (this.text[this.pos] === "(") {
      this.pos++;
      const inner = this.expression();
      this.skipSpace();
      if (this.text[this.pos] !== ")") this.fail("expected )");
      this.pos++;
      return inner;
    }
    const left = this.operand();
    this.skipSpace();
    const op = operators.find((candidate) => this.matchOperator(candidate));
    if (!op) this.fail("expected a comparison operator");
    this.pos += op.length;
    return { left, op, right: this.operand() };
  }

  private matchOperator(op: string): boolean {
    // pyparsing matches "in" / "not in" as plain literals: `not  in` (two spaces) is a syntax error.
    return this.text.startsWith(op, this.pos);
  }

  private operand(): MarkerOperand {
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote === "'" || quote === '"') {
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail("unterminated string");
      const value = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { value };
    }
    const name = variables.find((candidate) => this.text.startsWith(candidate, this.pos));
    if (!name) this.fail("expected a marker variable or a quoted string");
    this.pos += name.length;
    return { variable: aliases[name] ?? name };
  }

  private skipSpace() {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private fail(reason: string): never {
    throw invalidInput(`invalid marker "${this.text}": ${reason} at position ${this.pos + 1}`);
  }
}

export function parseMarker(text: string): MarkerList {
  return new MarkerParser(text).parse();
}

/** `str(Marker)`: `python_version < "3.8" and (os_name == "nt" or extra == "x")`. */
export function formatMarker(marker: MarkerList, first = true): string {
  // packaging drops the parentheses of a group that stands alone, even inside a larger expression.
  if (marker.length === 1 && Array.isArray(marker[0])) return formatMarker(marker[0]);
  const inner = marker
    .map((part) => {
      if (typeof part === "string") return part;
      if (Array.isArray(part)) return formatMarker(part, false);
      return `${formatOperand(part.left)} ${part.op} ${formatOperand(part.right)}`;
    })
    .join(" ");
  return first ? inner : `(${inner})`;
}

function formatOperand(operand: MarkerOperand): string {
  return "variable" in operand ? operand.variable : `"${operand.value}"`;
}

export type MarkerEnvironment = Record<string, string>;

export function evaluateMarker(marker: MarkerList, environment: MarkerEnvironment): boolean {
  const groups: boolean[][] = [[]];
  for (const part of marker) {
    if (part === "or") groups.push([]);
    else if (part === "and") continue;
    else
      groups
        .at(-1)!
        .push(Array.isArray(part) ? evaluateMarker(part, environment) : evaluateItem(part, environment));
  }
  return groups.some((group) => group.every(Boolean));
}

function evaluateItem(item: MarkerItem, environment: MarkerEnvironment): boolean {
  const lookup = (operand: MarkerOperand) => {
    if ("value" in operand) return operand.value;
    const value = environment[operand.variable];
    if (value === undefined) throw invalidInput(`marker variable ${operand.variable} is not defined`);
    return value;
  };
  const lhs = lookup(item.left);
  const rhs = lookup(item.right);
  // Version-like right-hand sides compare as PEP 440 versions, everything else as Python strings.
  const clauses = item.op === "in" || item.op === "not in" ? null : parseSpecifierSet(`${item.op}${rhs}`);
  if (clauses && clauses.length === 1) return specifierContains(clauses, lhs);
  switch (item.op) {
    case "in":
      return rhs.includes(lhs);
    case "not in":
      return !rhs.includes(lhs);
    case "==":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    default:
      throw invalidInput(`marker operator ${item.op} cannot compare "${lhs}" with "${rhs}"`);
  }
}

export interface HostInfo {
  machine: string;
  system: string;
  release: string;
  version: string;
  platform: NodeJS.Platform;
}

export function hostInfo(): HostInfo {
  const fallbackMachine = arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch();
  return {
    machine: machine() || fallbackMachine,
    system: type(),
    release: release(),
    version: osVersion(),
    platform: process.platform,
  };
}

/**
 * The marker environment of a CPython of `pythonVersion` (X.Y.Z) on this host, as `packaging.markers.
 * default_environment()` would report it inside that interpreter.
 */
export function markerEnvironment(
  pythonVersion: string,
  host: HostInfo = hostInfo(),
  extra = "",
): MarkerEnvironment {
  const xy = pythonVersion.split(".").slice(0, 2).join(".");
  return {
    implementation_name: "cpython",
    implementation_version: pythonVersion,
    os_name: host.platform === "win32" ? "nt" : "posix",
    platform_machine: host.machine,
    platform_release: host.release,
    platform_system: host.system,
    platform_version: host.version,
    python_full_version: pythonVersion,
    platform_python_implementation: "CPython",
    python_version: xy,
    sys_platform: host.platform === "win32" ? "win32" : host.platform,
    extra,
  };
}
