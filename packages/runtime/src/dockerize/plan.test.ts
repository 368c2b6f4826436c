import { type RuntimeManifest, runtimeManifestSchema } from "@swhub/shared/schemas";
import { describe, expect, it } from "vitest";
import { checkRuntimeArch, chooseBaseImage, imageTags, parseTargetPlatforms, runtimePython } from "./plan";

const version = "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y";
const manifest = (extra: Record<string, unknown> = {}): RuntimeManifest =>
  runtimeManifestSchema.parse({ version, environment: { python: "3.11" }, ...extra });

describe("image tags", () => {
  it("normalises the tags given and adds <configs.docker.image repository>:<version>", () => {
    const m = manifest({ configs: { docker: { image: "ghcr.io/team/mnist:old" } } });
    expect(imageTags(["app:1", "localhost:5000/x", "ghcr.io/team/mnist:old"], m, version)).toEqual([
      "docker.io/library/app:1",
      "localhost:5000/x:latest",
      "ghcr.io/team/mnist:old",
      `ghcr.io/team/mnist:${version}`,
    ]);
    expect(imageTags(["a/b:1", "docker.io/a/b:1"], manifest(), version)).toEqual(["docker.io/a/b:1"]);
  });

  it("fails when there is no tag at all, saying how to give one", () => {
    expect(() => imageTags([], manifest(), version)).toThrow(
      expect.objectContaining({
        message: "no image tag: the image needs at least one name to be tagged with",
        hint: "pass -t/--tag REGISTRY/NAME:TAG, or set configs.docker.image in runtime.yaml",
      }),
    );
  });

  it("refuses a digest and a malformed name", () => {
    expect(() => imageTags([`app@sha256:${"a".repeat(64)}`], manifest(), version)).toThrow(/names a digest/);
    expect(() => imageTags(["Team/App:1"], manifest(), version)).toThrow(/must be lowercase/);
  });
});

describe("platforms", () => {
  it("takes amd64, arm64 and their linux/ forms, once each; amd64 by default", () => {
    expect(parseTargetPlatforms([])).toEqual([{ os: "linux", architecture: "amd64" }]);
    expect(parseTargetPlatforms(["arm64", "linux/amd64", "linux/arm64", "x86_64"])).toEqual([
      { os: "linux", architecture: "arm64" },
      { os: "linux", architecture: "amd64" },
    ]);
  });

  it("names the choices for anything else", () => {
    expect(() => parseTargetPlatforms(["s390x"])).toThrow(
      expect.objectContaining({
        message: 'unknown platform "s390x"',
        hint: expect.stringContaining("amd64 or arm64"),
      }),
    );
    expect(() => parseTargetPlatforms(["windows/amd64"])).toThrow(/unknown platform/);
  });

  it("keeps a runtime built for one architecture off the others", () => {
    const arm = { os: "linux", architecture: "arm64" };
    expect(() => checkRuntimeArch(manifest({ environment: { arch: ["amd64"] } }), "rt", arm)).toThrow(
      "runtime rt is built for amd64 and cannot run on linux/arm64",
    );
    checkRuntimeArch(manifest({ environment: { arch: ["noarch"] } }), "rt", arm);
    checkRuntimeArch(manifest({ environment: { arch: "arm64" } }), "rt", arm);
    checkRuntimeArch(manifest({ environment: {} }), "rt", arm);
  });
});

describe("the runtime's Python", () => {
  it("is environment.python as X.Y, else the locked shell's", () => {
    expect(runtimePython(manifest({ environment: { python: "3.10.4" } }))).toBe("3.10");
    expect(runtimePython(manifest({ environment: { lock: { shell: { python_version: "3.9.18" } } } }))).toBe(
      "3.9",
    );
    expect(runtimePython(manifest({ environment: {} }))).toBeUndefined();
  });
});

describe("base image (spec §6.1)", () => {
  const builtin = {
    docker: {
      custom_run_image: "",
      builtin_run_image: {
        repo: "docker-registry.starwhale.cn/star-whale",
        name: "cuda",
        tag: "11.4-cudnn8-base0.3.4",
        fullname: "docker-registry.starwhale.cn/star-whale/cuda:11.4-cudnn8-base0.3.4",
      },
    },
  };

  it("uses the runtime's custom image, unless a setting overrides everything", () => {
    const custom = manifest({ docker: { custom_run_image: "user-defined-image:latest" } });
    expect(chooseBaseImage(custom)).toEqual({ reference: "user-defined-image:latest", source: "runtime" });
    expect(chooseBaseImage(manifest({ environment: { docker: { image: "ghcr.io/x/y:1" } } })).reference).toBe(
      "ghcr.io/x/y:1",
    );
    expect(chooseBaseImage(custom, { override: "mine:1", imageRepo: "r.io/x" })).toEqual({
      reference: "mine:1",
      source: "setting",
    });
  });

  it("takes the builtin image the manifest records, its repository from SW_IMAGE_REPO, then the config", () => {
    const m = manifest(builtin);
    expect(chooseBaseImage(m).reference).toBe(
      "docker-registry.starwhale.cn/star-whale/cuda:11.4-cudnn8-base0.3.4",
    );
    expect(chooseBaseImage(m, { configRepo: "conf.io/sw" }).reference).toBe(
      "conf.io/sw/cuda:11.4-cudnn8-base0.3.4",
    );
    expect(chooseBaseImage(m, { imageRepo: "env.io/sw/", configRepo: "conf.io/sw" }).reference).toBe(
      "env.io/sw/cuda:11.4-cudnn8-base0.3.4",
    );
  });

  it("falls back to base_image, then to the default base, derived from CUDA when the manifest says nothing", () => {
    expect(chooseBaseImage(manifest({ base_image: "old.io/base:0.2" })).reference).toBe("old.io/base:0.2");
    expect(chooseBaseImage(manifest()).reference).toBe("docker-registry.starwhale.cn/star-whale/base:0.3.4");
    const cuda = manifest({ environment: { python: "3.11", cuda: "11.4" } });
    expect(chooseBaseImage(cuda, { baseImageVersion: "0.4.0" }).reference).toBe(
      "docker-registry.starwhale.cn/star-whale/cuda:11.4-base0.4.0",
    );
  });
});
