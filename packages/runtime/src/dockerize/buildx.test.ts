import { describe, expect, it } from "vitest";
import { buildxCommands, starwhaleBuilder } from "./buildx";

const input = {
  snapshotDir: "/s",
  dockerfile: "/s/export/docker/Dockerfile",
  tags: ["r.io/a:1", "r.io/a:v2"],
  platforms: ["linux/amd64", "linux/arm64"],
  push: true,
  useStarwhaleBuilder: false,
  resetQemuStatic: false,
};

// Spec §6.3.
describe("docker buildx commands", () => {
  it("builds with host networking, a fresh pull and plain progress, per platform and tag, pushing", () => {
    expect(buildxCommands(input)).toEqual({
      run: [
        [
          "docker",
          "buildx",
          "build",
          "--network",
          "host",
          "--pull",
          "--progress",
          "plain",
          "--platform",
          "linux/amd64",
          "--platform",
          "linux/arm64",
          "--tag",
          "r.io/a:1",
          "--tag",
          "r.io/a:v2",
          "--push",
          "--file",
          "/s/export/docker/Dockerfile",
          "/s",
        ],
      ],
    });
    expect(buildxCommands({ ...input, push: false }).run[0]).toContain("--load");
  });

  it("resets qemu first, and creates Starwhale's builder (with the proxies) when it is missing", () => {
    const commands = buildxCommands({
      ...input,
      useStarwhaleBuilder: true,
      resetQemuStatic: true,
      proxies: { http: "http://proxy:3128", https: undefined },
    });
    expect(commands.run[0]).toEqual([
      "docker",
      "run",
      "--rm",
      "--privileged",
      "multiarch/qemu-user-static",
      "--reset",
      "-p",
      "-yes",
    ]);
    expect(commands.run[1]).toEqual(expect.arrayContaining(["--builder", starwhaleBuilder]));
    expect(commands.inspect).toEqual(["docker", "buildx", "inspect", "--builder", starwhaleBuilder]);
    expect(commands.create).toEqual([
      "docker",
      "buildx",
      "create",
      "--bootstrap",
      "--name",
      starwhaleBuilder,
      "--driver",
      "docker-container",
      "--driver-opt",
      "env.http_proxy=http://proxy:3128",
      "--driver-opt",
      "network=host",
    ]);
  });
});
