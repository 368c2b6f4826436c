import { describe, expect, it } from "vitest";
import { displayVersion, humanDuration, humanSize, humanTime } from "./format";

describe("format", () => {
  it("shortens version ids to 12 characters unless --fullname", () => {
    const id = "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y";
    expect(displayVersion(id, false)).toBe("nlkdjrzz3jlh");
    expect(displayVersion(id, true)).toBe(id);
    expect(displayVersion("v0", false)).toBe("v0");
  });

  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [20480, "20.0 KiB"],
    [150 * 1024 * 1024, "150 MiB"],
    [3.25 * 1024 ** 3, "3.3 GiB"],
    [-1, "-"],
  ])("humanSize(%d) = %s", (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });

  it("prints local times to the second", () => {
    expect(humanTime(new Date(2026, 10, 27, 9, 5, 7, 900))).toBe("2026-11-27 09:05:07");
    expect(humanTime(new Date("not a date"))).toBe("-");
  });

  it.each([
    [400, "0s"],
    [59_000, "59s"],
    [125_000, "2m05s"],
    [3_720_000, "1h02m"],
  ])("humanDuration(%d) = %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
