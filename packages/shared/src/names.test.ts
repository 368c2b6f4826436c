import { describe, expect, it } from "vitest";
import {
  autoTag,
  autoTagSeq,
  isBuiltinTag,
  projectNameProblem,
  runtimeNameProblem,
  userTagProblem,
} from "./names";
import { encodeBase32, generateVersionId, looksLikeVersionId, shortVersion } from "./version-id";

describe("names and tags: one rule set for client and server", () => {
  it.each(["mnist", "_x", "a", "pytorch-runtime", "Abc-1.2_x", "a".repeat(80)])(
    "%s is a valid runtime name",
    (n) => expect(runtimeNameProblem(n)).toBeUndefined(),
  );
  it.each([
    ["", /is empty/],
    ["a".repeat(81), /too long \(81 characters, at most 80\)/],
    ["1abc", /character "1" is not allowed/],
    ["-abc", /character "-" is not allowed/],
    ["a b", /character " " is not allowed/],
    ["a/b", /character "\/" is not allowed/],
    ["naïve", /character "ï" is not allowed/],
  ])("%j is refused", (n, message) => expect(runtimeNameProblem(n)).toMatch(message));

  it("latest and vN are built in; v, v1a, V1 and version are not", () => {
    for (const tag of ["latest", "v0", "v1", "v123"]) expect(isBuiltinTag(tag)).toBe(true);
    for (const tag of ["v", "v1a", "V1", "version", "latest2"]) expect(isBuiltinTag(tag)).toBe(false);
  });
  it("users may not add built-in tags", () => {
    expect(userTagProblem("latest")).toMatch(/tag "latest" is built in/);
    expect(userTagProblem("v7")).toMatch(/tag "v7" is built in/);
    expect(userTagProblem("t1")).toBeUndefined();
    expect(userTagProblem("Abc-1.2_x")).toBeUndefined();
  });
  it("auto tags count from v0", () => {
    expect(autoTag(0)).toBe("v0");
    expect(autoTagSeq("v12")).toBe(12);
    expect(autoTagSeq("t1")).toBeUndefined();
  });
  it("project names allow Starwhale's owner:project form", () => {
    expect(projectNameProblem("starwhale:public")).toBeUndefined();
    expect(projectNameProblem("1")).toMatch(/not allowed/);
  });
});

describe("version ids", () => {
  it("are 40 lowercase base32 characters and random", () => {
    const ids = new Set(Array.from({ length: 200 }, generateVersionId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{40}$/);
  });
  it("encode base32 as RFC 4648 does", () => {
    // RFC 4648 test vectors, lower-cased and without padding.
    const enc = (s: string) => encodeBase32(new TextEncoder().encode(s));
    expect(enc("f")).toBe("my");
    expect(enc("foobar")).toBe("mzxw6ytboi");
  });
  it("parsers accept ids of any length, as Starwhale's older 31-character ones", () => {
    expect(looksLikeVersionId("ge3tkylgha2tenrtmftdgyjzni3dayq")).toBe(true);
    expect(looksLikeVersionId("Latest")).toBe(false);
    expect(shortVersion("ge3tkylgha2tenrtmftdgyjzni3dayq")).toBe("ge3tkylgha2t");
    expect(shortVersion("ge3tkylgha2tenrtmftdgyjzni3dayq", true)).toHaveLength(31);
  });
});
