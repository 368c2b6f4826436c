import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addFixtureDemo,
  type DockerizeFixture,
  skopeoJson,
  startDockerizeFixture,
} from "../testing/dockerize-fixture";
import type { TestRuntime } from "../testing/runtime-bundles";
import { type DockerizeOptions, dockerizeRuntime } from "./dockerize";

// A registry behind token auth (the Docker Hub challenge flow): the base is pulled and the image pushed with
// credentials from SW_REGISTRY_*, as swcli passes them.
let f: DockerizeFixture;
let demo: TestRuntime;
beforeAll(async () => {
  f = await startDockerizeFixture({ auth: "token" });
  demo = await addFixtureDemo(f.store);
});
afterAll(() => f?.stop());

const options = (
  credentials: Record<string, string>,
  extra: Partial<DockerizeOptions> = {},
): DockerizeOptions => ({
  push: true,
  tags: [`${f.registry.host}/team/secure:v1`],
  base: { override: f.baseName },
  registries: {
    insecure: [f.registry.host],
    credentials: { env: credentials, dockerConfigPath: "/nonexistent" },
  },
  env: { pipEnv: f.pipEnv() },
  ...extra,
});

describe("dockerize against a registry that needs a token", () => {
  it("pulls the base and pushes the image with the user's credentials", async () => {
    const { username, password } = f.registry.user;
    const result = await dockerizeRuntime(
      demo,
      options({ SW_REGISTRY_USERNAME: username, SW_REGISTRY_PASSWORD: password }),
    );
    const inspected = await skopeoJson(
      "inspect",
      "--tls-verify=false",
      `--creds=${username}:${password}`,
      `docker://${f.registry.host}/team/secure:v1`,
    );
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Labels.starwhale_runtime_name).toBe("demo");
  });

  it("fails with one line naming the registry when the password is wrong", async () => {
    const attempt = dockerizeRuntime(
      demo,
      options({ SW_REGISTRY_USERNAME: f.registry.user.username, SW_REGISTRY_PASSWORD: "wrong" }),
    );
    await expect(attempt).rejects.toThrow(new RegExp(`^authentication failed for ${f.registry.host}$`));
  });

  it("says credentials are needed when none are given", async () => {
    await expect(dockerizeRuntime(demo, options({}))).rejects.toThrow(
      new RegExp(`^authentication required for ${f.registry.host}$`),
    );
  });

  it("fails with one line when the target registry does not answer", async () => {
    const { username, password } = f.registry.user;
    const credentials = { SW_REGISTRY_USERNAME: username, SW_REGISTRY_PASSWORD: password };
    const base = options(credentials);
    const attempt = dockerizeRuntime(demo, {
      ...base,
      tags: ["127.0.0.1:1/team/nowhere:v1"],
      registries: { ...base.registries, insecure: [f.registry.host, "127.0.0.1:1"] },
    });
    await expect(attempt).rejects.toThrow(/^cannot reach 127\.0\.0\.1:1: connection refused$/);
  });
});
