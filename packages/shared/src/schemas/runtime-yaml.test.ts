import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { aggregateDependencies } from "./dependencies";
import { parseRuntimeYaml } from "./runtime-yaml";

function errorOf(text: string): string {
  try {
    parseRuntimeYaml(text);
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  throw new Error("expected the YAML to be rejected");
}

describe("valid runtime.yaml forms", () => {
  it("the minimum is a name, with Starwhale's defaults", () => {
    const y = parseRuntimeYaml("name: mnist\n");
    expect(y).toMatchObject({
      name: "mnist",
      mode: "venv",
      api_version: "1.1",
      environment: { arch: [], os: "ubuntu:20.04", cuda: "", cudnn: "" },
      dependencies: [],
      configs: {
        pip: { index_url: "", extra_index_url: [], trusted_host: [] },
        conda: { channels: ["conda-forge"], condarc: {} },
      },
    });
    expect(y.environment.python).toBeUndefined();
  });

  it("the fixture written for the real Starwhale client (every venv dependency kind)", () => {
    const y = parseRuntimeYaml(`name: yamlfull
mode: venv
environment:
  python: "3.11"
  arch: noarch
  os: ubuntu:20.04
configs:
  pip:
    index_url: https://example.invalid/simple
dependencies:
  - pip:
      - tinypkg05
  - requirements.txt
  - wheels:
      - tinypkg06-1.0.6-py3-none-any.whl
  - files:
      - dest: bin/hello.sh
        src: scripts/hello.sh
  - commands:
      - echo hello-from-commands
`);
    expect(y.environment.python).toEqual({ xy: "3.11", full: "3.11" });
    expect(y.environment.arch).toEqual(["noarch"]);
    expect(y.configs.pip.index_url).toBe("https://example.invalid/simple");
    expect(y.dependencies).toEqual([
      { kind: "pip_pkg", deps: ["tinypkg05"] },
      { kind: "pip_req_file", deps: "requirements.txt" },
      { kind: "wheel", deps: ["tinypkg06-1.0.6-py3-none-any.whl"] },
      { kind: "native_file", deps: [{ dest: "bin/hello.sh", src: "scripts/hello.sh" }] },
      { kind: "command", deps: ["echo hello-from-commands"] },
    ]);
  });

  it("keeps the order of Starwhale's test_create_dependencies, one entry per key", () => {
    const y = parseRuntimeYaml(`name: deps
dependencies:
  - requirements.txt
  - pip: [p1, p2, p3]
  - wheels: [dummy.whl]
  - conda: [cp1, cp2]
  - commands: ["apt-get install -y libgl1"]
  - files:
      - {src: a, dest: b}
      - {src: c, dest: d, name: x, pre: "", post: ""}
  - pip: [p4, p5, "", p6]
    conda: [cp3, cp4]
  - conda-env.yaml
  - requirements.in
  - conda-env.yml
  - commands: [echo done]
`);
    expect(y.dependencies.map((d) => d.kind)).toEqual([
      "pip_req_file",
      "pip_pkg",
      "wheel",
      "conda_pkg",
      "command",
      "native_file",
      "pip_pkg",
      "conda_pkg",
      "conda_env_file",
      "pip_req_file",
      "conda_env_file",
      "command",
    ]);
    expect(aggregateDependencies(y.dependencies)).toEqual({
      pip_files: ["requirements.txt", "requirements.in"],
      pip_pkgs: ["p1", "p2", "p3", "p4", "p5", "p6"],
      conda_pkgs: ["cp1", "cp2", "cp3", "cp4"],
      conda_files: ["conda-env.yaml", "conda-env.yml"],
    });
  });

  it.each([
    ['"3.7"', "3.7"],
    ['"3.10"', "3.10"],
    ['"3.12"', "3.12"],
    ['"3.13"', "3.13"],
    ["3.9", "3.9"],
    ['"3.11.7"', "3.11"],
  ])("python %s is %s (not limited to 3.7–3.11)", (python, xy) =>
    expect(parseRuntimeYaml(`name: a\nenvironment:\n  python: ${python}\n`).environment.python?.xy).toBe(xy),
  );

  it("conda mode with channels, condarc, CUDA and cuDNN, and an arch list", () => {
    const y = parseRuntimeYaml(`name: gpu
mode: conda
environment:
  python: "3.10"
  cuda: "12.4"
  cudnn: 9
  arch: [amd64, ARM64]
  docker:
    image: ghcr.io/acme/base:1
configs:
  conda:
    channels: [pytorch, nvidia]
    condarc: {ssl_verify: false}
  pip:
    extra_index_url: https://a.example/simple https://b.example/simple
    trusted_host: [a.example]
  docker:
    image: registry.example/team/gpu
`);
    expect(y).toMatchObject({
      mode: "conda",
      environment: {
        cuda: "12.4",
        cudnn: "9",
        arch: ["amd64", "arm64"],
        docker: { image: "ghcr.io/acme/base:1" },
      },
      configs: {
        conda: { channels: ["pytorch", "nvidia"], condarc: { ssl_verify: false } },
        pip: {
          extra_index_url: ["https://a.example/simple", "https://b.example/simple"],
          trusted_host: ["a.example"],
        },
        docker: { image: "registry.example/team/gpu" },
      },
    });
  });

  it("legacy python_version and pip_req fields, and unknown keys, as Starwhale does", () => {
    const y = parseRuntimeYaml(
      "name: old\npython_version: '3.8'\npip_req: requirements.txt\nbase_image: x:1\n",
    );
    expect(y.environment.python?.xy).toBe("3.8");
    expect(y.dependencies).toEqual([{ kind: "pip_req_file", deps: "requirements.txt" }]);
  });

  it("api_version 1.1 written as a number", () =>
    expect(parseRuntimeYaml("name: a\napi_version: 1.1\n").api_version).toBe("1.1"));
  it("the name is trimmed", () => expect(parseRuntimeYaml("name: '  mnist '\n").name).toBe("mnist"));
});

describe("invalid runtime.yaml: each problem names the field and the reason", () => {
  it.each([
    ["", /expected a mapping with at least "name", got nothing/],
    ["- a\n- b\n", /expected a mapping with at least "name", got a list/],
    ["name: [a\n", /runtime.yaml line \d+: broken YAML/],
    ["mode: venv\n", /^runtime.yaml: name: is required$/],
    ["name: 12\n", /name: expected a string, got 12/],
    ["name: 'my runtime'\n", /name: runtime name "my runtime" is invalid: character " " is not allowed/],
    [`name: ${"x".repeat(81)}\n`, /name: runtime name .* is too long/],
    ["name: a\nmode: system\n", /mode: unsupported mode "system"; expected venv or conda/],
    ["name: a\nmode: docker\n", /mode: unsupported mode "docker"/],
    ["name: a\napi_version: '2.0'\n", /api_version: unsupported api_version "2.0"/],
    [
      "name: a\nenvironment:\n  python: 3.10\n",
      /environment.python: Python 3.1 is not supported.*quote it: python: "3.10"/,
    ],
    ["name: a\nenvironment:\n  python: '2.7'\n", /environment.python: Python 2.7 is not supported/],
    ["name: a\nenvironment:\n  python: latest\n", /environment.python: "latest" is not a Python version/],
    ["name: a\nenvironment:\n  arch: riscv\n", /environment.arch: unknown architecture "riscv"/],
    ["name: a\nenvironment:\n  arch: [amd64, mips]\n", /environment.arch\[1\]: unknown architecture "mips"/],
    ["name: a\nenvironment:\n  cuda: eleven\n", /environment.cuda: "eleven" is not a CUDA version/],
    ["name: a\nenvironment:\n  cudnn: '8'\n", /environment.cudnn: cudnn needs cuda/],
    [
      "name: a\ndependencies:\n  - foo.out\n",
      /dependencies\[0\]: unsupported entry "foo.out", expected a requirements file \(.txt, .in\)/,
    ],
    [
      "name: a\ndependencies:\n  - pip: [a]\n  - b.txt\n  - c.txt\n  - foo.out\n",
      /dependencies\[3\]: unsupported entry "foo.out", expected/,
    ],
    ["name: a\ndependencies:\n  - 42\n", /dependencies\[0\]: unsupported entry 42/],
    ["name: a\ndependencies:\n  - [a, b]\n", /dependencies\[0\]: unsupported entry a list/],
    [
      "name: a\ndependencies:\n  - npm: [left-pad]\n",
      /dependencies\[0\]: unsupported key "npm", expected one of pip, conda, wheels, files, commands/,
    ],
    [
      "name: a\ndependencies:\n  - pip: numpy\n",
      /dependencies\[0\].pip: expected a list of strings, got "numpy"/,
    ],
    ["name: a\ndependencies:\n  - pip: [numpy, 3]\n", /dependencies\[0\].pip\[1\]: expected a string, got 3/],
    [
      "name: a\ndependencies:\n  - wheels: [dummy.tar.gz]\n",
      /dependencies\[0\].wheels\[0\]: "dummy.tar.gz" is not a wheel/,
    ],
    ["name: a\ndependencies:\n  - files: [{src: a}]\n", /dependencies\[0\].files\[0\].dest: is required/],
    ["name: a\ndependencies:\n  - files: [{dest: b}]\n", /dependencies\[0\].files\[0\].src: is required/],
    ["name: a\ndependencies: requirements.txt\n", /dependencies: must be a list/],
    [
      "name: a\nconfigs:\n  conda:\n    channels: conda-forge\n",
      /configs.conda.channels: expected a list of channel names/,
    ],
  ])("%j", (text, message) => expect(errorOf(text)).toMatch(message));

  it("several problems are listed together, one per line", () => {
    const message = errorOf("name: 'a b'\nmode: x\ndependencies:\n  - foo.out\n");
    expect(message.split("\n")).toHaveLength(4);
    expect(message).toMatch(/^runtime.yaml has 3 problems:/);
  });
});
