import { describe, expect, it } from "vitest";
import { normalizeName, normalizeVersion, parseSpecifierSet, specifierContains } from "./pep440";

const contains = (spec: string, version: string, prereleases?: boolean) =>
  specifierContains(parseSpecifierSet(spec)!, version, prereleases);

describe("normalizeName (PEP 503)", () => {
  it.each([
    ["Django", "django"],
    ["zope.interface", "zope-interface"],
    ["Foo__Bar--baz..qux", "foo-bar-baz-qux"],
    ["a-_.b", "a-b"],
  ])("%s → %s", (name, expected) => expect(normalizeName(name)).toBe(expected));
});

describe("normalizeVersion (str(Version))", () => {
  it.each([
    ["1.0", "1.0"],
    ["01.02", "1.2"],
    ["1.0-Alpha", "1.0a0"],
    ["1.0c1", "1.0rc1"],
    ["1.0-1", "1.0.post1"],
    ["1.0.dev", "1.0.dev0"],
    ["v2.0", "2.0"],
    ["1!2.0.post", "1!2.0.post0"],
    ["1.0+Ubuntu-1", "1.0+ubuntu.1"],
  ])("%s → %s", (version, expected) => expect(normalizeVersion(version)).toBe(expected));

  it("returns null for versions PEP 440 rejects", () => {
    expect(normalizeVersion("2013-dev-build")).toBeNull();
    expect(normalizeVersion("latest")).toBeNull();
  });
});

describe("specifierContains", () => {
  it("evaluates every clause", () => {
    expect(contains(">=1.0,<2", "1.5")).toBe(true);
    expect(contains(">=1.0,<2", "2.0")).toBe(false);
    expect(contains("!=1.5", "1.5.0")).toBe(false);
    expect(contains("==1.5", "1.5.0")).toBe(true);
  });

  it("matches prefixes and compatible releases", () => {
    expect(contains("==1.4.*", "1.4.9")).toBe(true);
    expect(contains("==1.4.*", "1.40")).toBe(false);
    expect(contains("!=1.4.*", "1.5")).toBe(true);
    expect(contains("~=1.4.5", "1.4.9")).toBe(true);
    expect(contains("~=1.4.5", "1.5.0")).toBe(false);
    expect(contains("~=1.4", "1.9")).toBe(true);
  });

  it("treats pre-releases as pip check does (allowed) and as markers do (only when named)", () => {
    expect(contains(">=1.0", "2.0rc1", true)).toBe(true);
    expect(contains(">=1.0", "2.0rc1")).toBe(false);
    expect(contains(">=2.0rc1", "2.0rc2")).toBe(true);
    expect(contains("", "1.0rc1")).toBe(false);
    expect(contains("", "1.0rc1", true)).toBe(true);
  });

  it("keeps PEP 440's exclusive ordered comparisons", () => {
    expect(contains("<2.0", "2.0rc1", true)).toBe(false);
    expect(contains("<2.0rc2", "2.0rc1", true)).toBe(true);
    expect(contains(">1.0", "1.0.post1")).toBe(false);
    expect(contains(">1.0", "1.0+local")).toBe(false);
    expect(contains(">1.0a1", "1.0")).toBe(true);
    expect(contains(">1.0", "1.0.1")).toBe(true);
  });

  it("ignores local labels unless the specifier has one", () => {
    expect(contains("==1.0", "1.0+cpu")).toBe(true);
    expect(contains("==1.0+cpu", "1.0+cu118")).toBe(false);
    expect(contains("<=1.0", "1.0+cpu")).toBe(true);
  });

  it("matches non-PEP 440 versions only with ===", () => {
    expect(contains(">=1", "weird-version")).toBe(false);
    expect(contains("===weird-version", "weird-version")).toBe(true);
    expect(contains("", "weird-version", true)).toBe(true);
  });

  it("rejects specifiers PEP 440 does not allow", () => {
    expect(parseSpecifierSet(">=1.0.*")).toBeNull();
    expect(parseSpecifierSet("~=1")).toBeNull();
    expect(parseSpecifierSet(">=1.0+local")).toBeNull();
    expect(parseSpecifierSet("=>1.0")).toBeNull();
    expect(parseSpecifierSet("")).toEqual([]);
  });
});
