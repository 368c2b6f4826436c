import { describe, expect, it } from "vitest";
import { mergeScopes, parseChallenges, repositoryScope } from "./auth";
import { normaliseRegistryKey } from "./credentials";

describe("parseChallenges", () => {
  it("reads a bearer challenge with quoted values containing commas", () => {
    const header =
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"';
    expect(parseChallenges(header)).toEqual([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:samalba/my-app:pull,push",
        },
      },
    ]);
  });

  it("reads basic, the error of an insufficient scope, and several headers", () => {
    const challenges = parseChallenges([
      'Basic realm="Registry Realm"',
      'Bearer realm="http://127.0.0.1:1/token",error="insufficient_scope",scope="repository:a:push"',
    ]);
    expect(challenges.map((c) => c.scheme)).toEqual(["basic", "bearer"]);
    expect(challenges[1]!.params.error).toBe("insufficient_scope");
  });

  it("gives nothing for a missing header", () => {
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe("scopes", () => {
  it("merges actions on the same repository and sorts", () => {
    expect(
      mergeScopes([
        repositoryScope("b", ["pull"]),
        repositoryScope("a", ["push"]),
        repositoryScope("a", ["pull"]),
      ]),
    ).toEqual(["repository:a:pull,push", "repository:b:pull"]);
  });
});

describe("normaliseRegistryKey", () => {
  it.each([
    ["https://index.docker.io/v1/", "docker.io"],
    ["registry-1.docker.io", "docker.io"],
    ["http://127.0.0.1:5000/v2/", "127.0.0.1:5000"],
    ["ghcr.io", "ghcr.io"],
  ])("%s → %s", (key, registry) => {
    expect(normaliseRegistryKey(key)).toBe(registry);
  });
});
