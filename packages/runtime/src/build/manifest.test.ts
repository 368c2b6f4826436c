import { fileURLToPath } from "node:url";
import { parseRuntimeYaml } from "@swhub/shared/schemas";
import { describe, expect, it } from "vitest";
import { readBundleMember } from "../bundle/read";
import { pipIndexArgs } from "./auto-env";
import { builtinRunImage, dockerRuntimeName } from "./images";
import { buildManifest, setupRequiresFor, starwhaleVersionInLock } from "./manifest";
import { dumpStarwhaleYaml, starwhaleCreatedAt } from "./starwhale-format";

const fixtures = fileURLToPath(new URL("../../test-fixtures/starwhale-0.6.15/", import.meta.url));
const member = async (bundle: string, path: string) =>
  (await readBundleMember(`${fixtures}${bundle}`, path)).toString("utf8");

describe("_manifest.yaml", () => {
  it("is written as Starwhale 0.6.15 wrote yamlfull.swrt, byte for byte, from the same facts", async () => {
    const yaml = parseRuntimeYaml(await member("yamlfull.swrt", "runtime.yaml"));
    const manifest = buildManifest({
      version: "iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg",
      createdAt: "2026-11-27 18:58:33 UTC",
      build: { os: "Linux", toolVersion: "0.6.15" },
      // Starwhale's normalisation of empty pip lists is [""]; ours is [] (see the report), so pass its values here.
      configs: { ...yaml.configs, pip: { ...yaml.configs.pip, extra_index_url: [""], trusted_host: [""] } },
      environment: { mode: "venv", python: "3.11", arch: ["noarch"], autoLock: true },
      lock: {
        starwhaleVersion: "0.6.15",
        shell: { pythonEnv: "system", pythonVersion: "3.11.2" },
        envName: "",
        envPrefixPath: "",
        envUseShell: false,
        files: [".starwhale/lock/requirements-sw-lock.txt"],
      },
      dependencies: yaml.dependencies,
      setupRequires: [],
      localPackagedEnv: false,
      customRunImage: "",
      builtinRunImage: builtinRunImage({}),
      artifacts: {
        dependencies: [
          "dependencies/requirements.txt",
          "dependencies/.starwhale/lock/requirements-sw-lock.txt",
        ],
        wheels: ["wheels/tinypkg06-1.0.6-py3-none-any.whl"],
        files: [{ src: "scripts/hello.sh", dest: "bin/hello.sh" }],
      },
    });
    expect(dumpStarwhaleYaml(manifest)).toBe(await member("yamlfull.swrt", "_manifest.yaml"));
  });

  it("names the builtin run image as Starwhale does", () => {
    expect(builtinRunImage({}).fullname).toBe("docker-registry.starwhale.cn/star-whale/base:0.3.4");
    expect(builtinRunImage({ cuda: "11.4", cudnn: "8" }).fullname).toBe(
      "docker-registry.starwhale.cn/star-whale/cuda:11.4-cudnn8-base0.3.4",
    );
    expect(builtinRunImage({ cuda: "11.4", repo: "ghcr.io/me/", baseVersion: "0.4.0" })).toEqual({
      repo: "ghcr.io/me",
      name: "cuda",
      tag: "11.4-base0.4.0",
      fullname: "ghcr.io/me/cuda:11.4-base0.4.0",
    });
  });

  it("records the starwhale version and basicsr's setup_requires from the lock", () => {
    expect(starwhaleVersionInLock(["numpy==1.0", "starwhale==0.6.15"])).toBe("0.6.15");
    expect(starwhaleVersionInLock(["numpy==1.0"])).toBe("");
    expect(setupRequiresFor(["torch==0.0.1", "numpy==0.0.1", "BasicSR==1.4"])).toEqual([
      { kind: "pip_pkg", deps: ["torch==0.0.1", "numpy==0.0.1", "cython"] },
    ]);
    expect(setupRequiresFor(["torch==0.0.1"])).toEqual([]);
  });

  it("writes created_at as local time with its zone, or in UTC for reproducible builds", () => {
    const date = new Date(Date.UTC(2023, 1, 18, 16, 19, 23));
    expect(starwhaleCreatedAt(date, true)).toBe("2023-02-18 16:19:23 UTC");
    expect(starwhaleCreatedAt(date)).toMatch(/^2023-02-1[89] \d\d:19:23 \S+$/);
  });
});

describe("--docker IMAGE", () => {
  it("names the runtime after the image's last path segment", () => {
    expect(dockerRuntimeName("pytorch/pytorch:1.9.0-cuda11.1-cudnn8-runtime")).toBe("pytorch");
    expect(dockerRuntimeName("127.0.0.1:5000/team/app:1")).toBe("app");
    expect(dockerRuntimeName("app@sha256:abc")).toBe("app");
  });
});

describe("pip's index options", () => {
  const pip = { index_url: "https://a/simple", extra_index_url: ["https://b/simple"], trusted_host: ["b"] };

  it("come from configs.pip, with Starwhale's timeout and retries", () => {
    expect(pipIndexArgs(pip)).toEqual([
      "--index-url",
      "https://a/simple",
      "--extra-index-url",
      "https://b/simple",
      "--trusted-host",
      "b",
      "--timeout=90",
      "--retries=10",
    ]);
  });

  it("let SW_PYPI_* win: the configured index becomes an extra one", () => {
    expect(
      pipIndexArgs(pip, {
        indexUrl: "https://z/simple",
        extraIndexUrl: "https://y https://x",
        trustedHost: "z",
        timeout: 5,
        retries: 1,
      }),
    ).toEqual([
      "--index-url",
      "https://z/simple",
      "--extra-index-url",
      "https://y",
      "--extra-index-url",
      "https://x",
      "--extra-index-url",
      "https://b/simple",
      "--extra-index-url",
      "https://a/simple",
      "--trusted-host",
      "z",
      "--trusted-host",
      "b",
      "--timeout=5",
      "--retries=1",
    ]);
  });
});
