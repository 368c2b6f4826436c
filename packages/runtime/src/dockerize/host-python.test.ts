import { describe, expect, it } from "vitest";
import { crossPlatformArgs, wheelPlatforms } from "./host-python";

describe("wheel platforms for another machine", () => {
  it("lists manylinux tags from the newest glibc down, then the legacy names, then plain linux", () => {
    const amd = wheelPlatforms({ os: "linux", architecture: "amd64" }, "2.19");
    expect(amd).toEqual([
      "manylinux_2_19_x86_64",
      "manylinux_2_18_x86_64",
      "manylinux_2_17_x86_64",
      "manylinux2014_x86_64",
      "manylinux_2_12_x86_64",
      "manylinux2010_x86_64",
      "manylinux_2_5_x86_64",
      "manylinux1_x86_64",
      "linux_x86_64",
    ]);
    const arm = wheelPlatforms({ os: "linux", architecture: "arm64" });
    expect(arm[0]).toBe("manylinux_2_28_aarch64");
    expect(arm).toContain("manylinux2014_aarch64");
    expect(arm.some((t) => t.includes("2010") || t.includes("x86_64"))).toBe(false);
  });

  it("asks pip for binary wheels of CPython X.Y with its ABIs", () => {
    const args = crossPlatformArgs({ os: "linux", architecture: "arm64" }, "3.11", "2.17");
    expect(args).toEqual([
      "--platform",
      "manylinux_2_17_aarch64",
      "--platform",
      "manylinux2014_aarch64",
      "--platform",
      "linux_aarch64",
      "--python-version",
      "3.11",
      "--implementation",
      "cp",
      "--abi",
      "cp311",
      "--abi",
      "abi3",
      "--abi",
      "none",
      "--only-binary=:all:",
    ]);
  });
});
