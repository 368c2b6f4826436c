import { describe, expect, it } from "vitest";
import { formatReference, manifestReference, parseReference, registryEndpointHost } from "./reference";

const digest = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  it.each([
    ["python", "docker.io", "library/python", undefined],
    ["python:3.11-slim", "docker.io", "library/python", "3.11-slim"],
    ["starwhale/base:0.3.4", "docker.io", "starwhale/base", "0.3.4"],
    ["docker.io/python", "docker.io", "library/python", undefined],
    ["index.docker.io/team/app:v1", "docker.io", "team/app", "v1"],
    ["ghcr.io/team/app:1.0", "ghcr.io", "team/app", "1.0"],
    [
      "docker-registry.starwhale.cn/star-whale/cuda:11.4-cudnn8-base0.3.4",
      "docker-registry.starwhale.cn",
      "star-whale/cuda",
      "11.4-cudnn8-base0.3.4",
    ],
    ["localhost/app", "localhost", "app", undefined],
    ["localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev"],
    ["127.0.0.1:41234/base/python:3", "127.0.0.1:41234", "base/python", "3"],
    ["[::1]:5000/app:x", "[::1]:5000", "app", "x"],
    ["registry.example.com/a/b/c/d_e.f__g-h", "registry.example.com", "a/b/c/d_e.f__g-h", undefined],
  ])("%s", (input, registry, repository, tag) => {
    const ref = parseReference(input);
    expect(ref).toEqual({ registry, repository, ...(tag ? { tag } : {}) });
  });

  it("keeps a digest, with or without a tag", () => {
    expect(parseReference(`ghcr.io/team/app@${digest}`)).toEqual({
      registry: "ghcr.io",
      repository: "team/app",
      digest,
    });
    expect(parseReference(`python:3.11@${digest}`)).toEqual({
      registry: "docker.io",
      repository: "library/python",
      tag: "3.11",
      digest,
    });
  });

  it("asks for the digest first, then the tag, then latest", () => {
    expect(manifestReference(parseReference(`app:1@${digest}`))).toBe(digest);
    expect(manifestReference(parseReference("app:1"))).toBe("1");
    expect(manifestReference(parseReference("app"))).toBe("latest");
  });

  it("formats the canonical form and round-trips it", () => {
    for (const input of ["python", "localhost:5000/team/app:dev", `ghcr.io/a/b:1@${digest}`]) {
      const ref = parseReference(input);
      expect(parseReference(formatReference(ref))).toEqual(ref);
    }
    expect(formatReference(parseReference("python:3"))).toBe("docker.io/library/python:3");
  });

  it("sends Docker Hub traffic to its API host", () => {
    expect(registryEndpointHost("docker.io")).toBe("registry-1.docker.io");
    expect(registryEndpointHost("127.0.0.1:5000")).toBe("127.0.0.1:5000");
  });

  it.each([
    ["", /it is empty/],
    ["Team/App", /must be lowercase/],
    ["app:", /is not a valid tag/],
    ["app:-bad", /is not a valid tag/],
    [`app:${"t".repeat(129)}`, /is not a valid tag/],
    ["ghcr.io/", /repository name is missing/],
    ["ghcr.io/app@sha256:abc", /not a digest/],
    [`app@sha256:${"A".repeat(64)}`, /not a sha256 digest/],
    ["app//x", /not a valid repository path component/],
    ["bad_host.-x:5000/app", /not a valid registry host/],
    [`ghcr.io/${"a".repeat(250)}`, /longer than 255/],
  ])("rejects %j with one clear line", (input, message) => {
    expect(() => parseReference(input)).toThrow(message);
    try {
      parseReference(input);
    } catch (error) {
      expect((error as { code: string }).code).toBe("invalid_input");
      expect((error as Error).message).not.toContain("\n");
    }
  });
});
