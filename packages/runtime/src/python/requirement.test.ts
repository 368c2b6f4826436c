import { describe, expect, it } from "vitest";
import { evaluateMarker, formatMarker, markerEnvironment, parseMarker } from "./markers";
import { formatRequirement, parseRequirement } from "./requirement";

const host = {
  machine: "x86_64",
  system: "Linux",
  release: "6.1.0",
  version: "#1 SMP",
  platform: "linux" as const,
};
const env311 = markerEnvironment("3.11.7", host);

describe("parseRequirement / formatRequirement", () => {
  it.each([
    ["requests", "requests"],
    ["requests>=2.8.1,==2.8.*", "requests==2.8.*,>=2.8.1"],
    ["requests [security, tests] >= 2.8.1", "requests[security,tests]>=2.8.1"],
    ["name (>=1.0, <2)", "name<2,>=1.0"],
    ["pip @ https://example.com/pip.zip", "pip@ https://example.com/pip.zip"],
    ["pip @ file:///x.whl ; python_version<'3.8'", 'pip@ file:///x.whl ; python_version < "3.8"'],
    [
      "b>=2; python_version >= '3' and (os_name=='posix' or extra == 'x')",
      'b>=2; python_version >= "3" and (os_name == "posix" or extra == "x")',
    ],
    ["c; os.name == 'nt'", 'c; os_name == "nt"'],
    ["d; (python_version < '3')", 'd; python_version < "3"'],
    ["e ; 'linux' in sys_platform", 'e; "linux" in sys_platform'],
    ["f; python_version not in '2.7 3.4'", 'f; python_version not in "2.7 3.4"'],
  ])("%s prints as pip prints it", (text, printed) => {
    expect(formatRequirement(parseRequirement(text))).toBe(printed);
  });

  it("keeps the name as written and splits extras", () => {
    const req = parseRequirement("Foo.Bar[Fast]>=1");
    expect(req).toMatchObject({ name: "Foo.Bar", extras: ["Fast"], specifier: [">=1"] });
  });

  it("marks a non-PEP 440 specifier as legacy instead of failing", () => {
    expect(parseRequirement("legacy >=1.0-foo-bar").clauses).toBeNull();
  });

  it.each([
    "",
    ">=1.0",
    "name[",
    "name >=1 junk",
    "name; python_version",
    "name; nonsense == '1'",
    "f; os_name not  in 'x'",
  ])("rejects %j with the requirement in the message", (text) => {
    expect(() => parseRequirement(text)).toThrow(/invalid (requirement|marker)/);
  });
});

describe("evaluateMarker", () => {
  const holds = (marker: string, env = env311) => evaluateMarker(parseMarker(marker), env);

  it("compares versions as versions", () => {
    expect(holds('python_version >= "3.8"')).toBe(true);
    expect(holds('python_version < "3.10"')).toBe(false);
    expect(holds('python_full_version == "3.11.*"')).toBe(true);
    expect(holds('"3.12" > python_version')).toBe(true);
  });

  it("compares other values as strings", () => {
    expect(holds('sys_platform == "linux"')).toBe(true);
    expect(holds('platform_system != "Windows"')).toBe(true);
    expect(holds('"x86" in platform_machine')).toBe(true);
    expect(holds('platform_machine not in "arm64 aarch64"')).toBe(true);
    expect(holds('implementation_name == "cpython" and os_name == "posix"')).toBe(true);
  });

  it("binds and tighter than or, and honours parentheses", () => {
    expect(holds('os_name == "nt" and python_version > "3" or sys_platform == "linux"')).toBe(true);
    expect(holds('os_name == "nt" and (python_version > "3" or sys_platform == "linux")')).toBe(false);
  });

  it("reads extra from the environment", () => {
    expect(holds('extra == "fast"')).toBe(false);
    expect(holds('extra == "fast"', { ...env311, extra: "fast" })).toBe(true);
  });

  it("derives the environment from the interpreter's version", () => {
    expect(markerEnvironment("3.8.10", host)).toMatchObject({
      python_version: "3.8",
      python_full_version: "3.8.10",
      sys_platform: "linux",
      platform_machine: "x86_64",
    });
  });

  it("prints groups with parentheses", () => {
    expect(formatMarker(parseMarker("(a_b == '1')".replace("a_b", "extra")))).toBe('extra == "1"');
    expect(formatMarker(parseMarker("extra=='a' or (extra=='b' and os_name=='nt')"))).toBe(
      'extra == "a" or (extra == "b" and os_name == "nt")',
    );
  });
});
