import { describe, expect, it } from "vitest";
import { parseLine, usageErrorOf } from "../../test-support";
import type { BuildOptions } from "./build";

// Expected values are written from the seed's option table and examples (seed "swcli runtime build") and
// spec §3.1/§3.7, not from what the parser prints.
const defaults: BuildOptions = {
  source: { kind: "yaml", path: "runtime.yaml" },
  name: undefined,
  project: undefined,
  disableEnvLock: false,
  noCache: false,
  cuda: undefined,
  cudnn: undefined,
  arch: "noarch",
  dumpPipOptions: false,
  dumpCondarc: false,
  tags: [],
  push: undefined,
  forcePush: false,
  packEnv: false,
  includeEditable: false,
  includeLocalWheel: false,
};

const build = (changes: Partial<BuildOptions>) => ({
  command: "runtime build",
  options: { ...defaults, ...changes },
});

describe("runtime build: the seed's examples", () => {
  const examples: [string, Partial<BuildOptions>][] = [
    ["swcli runtime build", {}],
    [
      "swcli runtime build -y example/pytorch/runtime.yaml",
      { source: { kind: "yaml", path: "example/pytorch/runtime.yaml" } },
    ],
    ["swcli runtime build --yaml runtime.yaml", { source: { kind: "yaml", path: "runtime.yaml" } }],
    ["swcli runtime build -c pytorch", { source: { kind: "conda", name: "pytorch" } }],
    [
      "swcli runtime build --conda pytorch --name pytorch-runtime",
      { source: { kind: "conda", name: "pytorch" }, name: "pytorch-runtime" },
    ],
    [
      "swcli runtime build --conda pytorch --cuda 11.4",
      { source: { kind: "conda", name: "pytorch" }, cuda: "11.4" },
    ],
    [
      "swcli runtime build --conda pytorch --arch noarch",
      { source: { kind: "conda", name: "pytorch" }, arch: "noarch" },
    ],
    [
      "swcli runtime build --conda-prefix /home/starwhale/anaconda3/envs/pytorch",
      { source: { kind: "conda-prefix", path: "/home/starwhale/anaconda3/envs/pytorch" } },
    ],
    [
      "swcli runtime build -v /home/starwhale/.virtualenvs/pytorch",
      { source: { kind: "venv", path: "/home/starwhale/.virtualenvs/pytorch" } },
    ],
    [
      "swcli runtime build --venv /home/starwhale/.local/share/virtualenvs/pytorch --arch amd64",
      { source: { kind: "venv", path: "/home/starwhale/.local/share/virtualenvs/pytorch" }, arch: "amd64" },
    ],
    [
      "swcli runtime build --docker pytorch/pytorch:1.9.0-cuda11.1-cudnn8-runtime",
      { source: { kind: "docker", image: "pytorch/pytorch:1.9.0-cuda11.1-cudnn8-runtime" } },
    ],
    ["swcli runtime build -s --cuda 11.4 --cudnn 8", { source: { kind: "shell" }, cuda: "11.4", cudnn: "8" }],
    [
      "swcli runtime build --shell --name pytorch-runtime",
      { source: { kind: "shell" }, name: "pytorch-runtime" },
    ],
  ];
  it.each(examples)("%s", (line, changes) => {
    expect(parseLine(line)).toMatchObject(build(changes));
  });
});

describe("runtime build: every option spelling of the seed and the spec", () => {
  const spellings: [string, Partial<BuildOptions>][] = [
    ["-cp /opt/conda/envs/x", { source: { kind: "conda-prefix", path: "/opt/conda/envs/x" } }],
    ["-cp=/opt/conda/envs/x", { source: { kind: "conda-prefix", path: "/opt/conda/envs/x" } }],
    ["--conda-prefix=/opt/conda/envs/x", { source: { kind: "conda-prefix", path: "/opt/conda/envs/x" } }],
    ["-d busybox:latest", { source: { kind: "docker", image: "busybox:latest" } }],
    ["-p myproject", { project: "myproject" }],
    ["--project local/project/myproject", { project: "local/project/myproject" }],
    ["-n rt", { name: "rt" }],
    ["-del", { disableEnvLock: true }],
    ["--disable-env-lock", { disableEnvLock: true }],
    ["-nc", { noCache: true }],
    ["--no-cache", { noCache: true }],
    ["-epo", { dumpPipOptions: true }],
    ["--emit-pip-options", { dumpPipOptions: true }],
    ["-dpo", { dumpPipOptions: true }],
    ["--dump-pip-options", { dumpPipOptions: true }],
    ["-ecc", { dumpCondarc: true }],
    ["--emit-condarc", { dumpCondarc: true }],
    ["-dcc", { dumpCondarc: true }],
    ["--dump-condarc", { dumpCondarc: true }],
    ["-t t1 --tag t2 -t t3", { tags: ["t1", "t2", "t3"] }],
    ["--push cloud://prod/project/ml --force-push", { push: "cloud://prod/project/ml", forcePush: true }],
    ["-dad", { packEnv: true }],
    ["--download-all-deps", { packEnv: true }],
    ["--pack-env", { packEnv: true }],
    ["-ie", { includeEditable: true }],
    ["--include-editable", { includeEditable: true }],
    ["-ilw", { includeLocalWheel: true }],
    ["--include-local-wheel", { includeLocalWheel: true }],
  ];
  it.each(spellings)("runtime build %s", (args, changes) => {
    expect(parseLine(`swcli runtime build ${args}`)).toMatchObject(build(changes));
  });

  it("reads choices case-insensitively, as click does", () => {
    expect(parseLine("swcli rt build -s --arch AMD64")).toMatchObject(
      build({ source: { kind: "shell" }, arch: "amd64" }),
    );
  });

  it("takes -v as the venv after the command and as verbosity before it", () => {
    expect(parseLine("swcli -vv runtime build -v /venvs/a")).toEqual({
      ...build({ source: { kind: "venv", path: "/venvs/a" } }),
      globals: { output: undefined, verbose: 2 },
    });
  });

  it("keeps a value that looks like a multi-letter flag as the value", () => {
    expect(parseLine("swcli runtime build -s --name -cp")).toMatchObject(
      build({ source: { kind: "shell" }, name: "-cp" }),
    );
  });
});

describe("runtime build: wrong command lines", () => {
  it("refuses two build sources with one error naming both", () => {
    const error = usageErrorOf("swcli runtime build -c pytorch -v /venvs/a");
    expect(error.message).toBe("choose one build source, not --conda and --venv");
    expect(error.usage).toBe("swcli runtime build [options]");
  });

  it("refuses --yaml next to --docker", () => {
    expect(usageErrorOf("swcli runtime build -y runtime.yaml -d busybox").message).toBe(
      "choose one build source, not --yaml and --docker",
    );
  });

  it("refuses a CUDA version Starwhale doesn't know", () => {
    expect(usageErrorOf("swcli runtime build -s --cuda 12.1").message).toBe(
      "option '--cuda <version>' argument '12.1' is invalid. Allowed choices are 11.3, 11.4, 11.5, 11.6, 11.7.",
    );
  });

  it("refuses an unknown architecture", () => {
    expect(usageErrorOf("swcli runtime build -s --arch x86").message).toContain(
      "Allowed choices are amd64, arm64, noarch.",
    );
  });

  it("refuses environment options for a runtime.yaml build", () => {
    expect(usageErrorOf("swcli runtime build --cuda 11.4").message).toBe(
      "--cuda applies to --conda, --conda-prefix, --venv and --shell builds only",
    );
  });

  it("refuses runtime.yaml options for other sources", () => {
    expect(usageErrorOf("swcli runtime build -c pytorch -del").message).toBe(
      "--disable-env-lock applies to runtime.yaml builds only",
    );
  });

  it("refuses --force-push without --push", () => {
    expect(usageErrorOf("swcli runtime build --force-push").message).toBe("--force-push needs --push URI");
  });

  it("refuses an unknown option, and a multi-letter flag of another command", () => {
    expect(usageErrorOf("swcli runtime build --bogus").message).toBe("unknown option '--bogus'");
    expect(usageErrorOf("swcli runtime build -of basic").message).toBe("unknown option '-of'");
  });

  it("reports a missing value with the seed's spelling of the option", () => {
    expect(usageErrorOf("swcli runtime build -cp").message).toBe(
      "option '-cp, --conda-prefix <path>' argument missing",
    );
  });
});
