import { describe, expect, it } from "vitest";
import { parseLine, usageErrorOf } from "../../test-support";
import type { ActivateOptions } from "./activate";
import type { DockerizeOptions } from "./dockerize";
import type { ExtractOptions } from "./extract";
import type { HistoryOptions } from "./history";
import type { InfoOptions } from "./info";
import type { ListOptions } from "./list";
import type { LockOptions } from "./lock";
import type { RecoverOptions } from "./recover";
import type { RemoveOptions } from "./remove";
import type { TagOptions } from "./tag";

// Expected options come from the seed's tables and examples and the spec's §4–§7 option lists.

describe("runtime info", () => {
  const info = (runtime: string, outputFilter: InfoOptions["outputFilter"]) => ({
    command: "runtime info",
    options: { runtime, outputFilter } satisfies InfoOptions,
  });
  it.each([
    ["swcli runtime info pytorch", info("pytorch", "basic")],
    ["swcli runtime info pytorch/version/v0", info("pytorch/version/v0", "basic")],
    ["swcli runtime info pytorch/version/v0 --output-filter basic", info("pytorch/version/v0", "basic")],
    ["swcli runtime info pytorch/version/v1 -of runtime_yaml", info("pytorch/version/v1", "runtime_yaml")],
    ["swcli runtime info pytorch/version/v1 -of lock", info("pytorch/version/v1", "lock")],
    ["swcli runtime info pytorch/version/v1 -of manifest", info("pytorch/version/v1", "manifest")],
    ["swcli runtime info pytorch/version/v1 -of all", info("pytorch/version/v1", "all")],
    ["swcli -o json runtime info mnist -of=all", info("mnist", "all")],
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it("refuses a filter that doesn't exist", () => {
    expect(usageErrorOf("swcli runtime info pytorch -of yaml").message).toBe(
      "option '-of, --output-filter <filter>' argument 'yaml' is invalid. Allowed choices are basic, runtime_yaml, manifest, lock, all.",
    );
  });

  it("needs the runtime", () => {
    const error = usageErrorOf("swcli runtime info");
    expect(error.message).toBe("missing required argument 'runtime'");
    expect(error.usage).toBe("swcli runtime info [options] <runtime>");
  });
});

describe("runtime list", () => {
  const defaults: ListOptions = {
    project: undefined,
    fullname: false,
    showRemoved: false,
    page: 1,
    size: 20,
    filters: { latest: false },
  };
  const list = (changes: Partial<ListOptions>) => ({
    command: "runtime list",
    options: { ...defaults, ...changes },
  });
  it.each([
    ["swcli runtime list", list({})],
    ["swcli runtime ls", list({})],
    ["swcli rt ls --project myproject", list({ project: "myproject" })],
    [
      "swcli runtime list -p local/project/self --fullname",
      list({ project: "local/project/self", fullname: true }),
    ],
    ["swcli runtime list -f", list({ fullname: true })],
    ["swcli runtime list -sr", list({ showRemoved: true })],
    ["swcli runtime list --show-removed --page 3 --size 50", list({ showRemoved: true, page: 3, size: 50 })],
    ["swcli runtime list --filter name=pytorch", list({ filters: { latest: false, name: "pytorch" } })],
    ["swcli runtime list --filter owner=starwhale", list({ filters: { latest: false, owner: "starwhale" } })],
    ["swcli runtime list --filter latest", list({ filters: { latest: true } })],
    [
      "swcli runtime list -fl name=mnist -fl latest --filter owner=1",
      list({ filters: { latest: true, name: "mnist", owner: "1" } }),
    ],
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it.each([
    ["--page 0", "option '--page <n>' argument '0' is invalid. Expected a whole number of at least 1."],
    ["--size ten", "option '--size <n>' argument 'ten' is invalid. Expected a whole number of at least 1."],
    ["--page -1", "option '--page <n>' argument '-1' is invalid. Expected a whole number of at least 1."],
    [
      "-fl version=1",
      "option '-fl, --filter <filter>' argument 'version=1' is invalid. Expected name=PREFIX, owner=NAME or latest.",
    ],
    [
      "-fl name=",
      "option '-fl, --filter <filter>' argument 'name=' is invalid. Expected name=PREFIX, owner=NAME or latest.",
    ],
    [
      "-fl latest=true",
      "option '-fl, --filter <filter>' argument 'latest=true' is invalid. latest takes no value; expected name=PREFIX, owner=NAME or latest.",
    ],
  ])("refuses %s", (args, message) => {
    expect(usageErrorOf(`swcli runtime list ${args}`).message).toBe(message);
  });

  it("tells where -o goes when it is given after the command", () => {
    const error = usageErrorOf("swcli runtime list -o json");
    expect(error.message).toBe("unknown option '-o'");
    expect(error.hint).toBe("global options go before the command: swcli -o json runtime list");
    expect(usageErrorOf("swcli runtime list --bogus").hint).toBeUndefined();
  });
});

describe("runtime tag", () => {
  const tag = (runtime: string, tags: string[], flags: Partial<TagOptions> = {}) => ({
    command: "runtime tag",
    options: { runtime, tags, remove: false, quiet: false, forceAdd: false, ...flags } satisfies TagOptions,
  });
  const cloud = "cloud://cloud.starwhale.cn/project/public:starwhale/runtime/pytorch";
  it.each([
    ["swcli runtime tag pytorch", tag("pytorch", [])],
    ["swcli runtime tag mnist t1 t2", tag("mnist", ["t1", "t2"])],
    [
      `swcli runtime tag ${cloud}/version/latest t1 --force-add`,
      tag(`${cloud}/version/latest`, ["t1"], { forceAdd: true }),
    ],
    ["swcli runtime tag mnist t1 --quiet", tag("mnist", ["t1"], { quiet: true })],
    ["swcli runtime tag mnist -r t1 t2", tag("mnist", ["t1", "t2"], { remove: true })],
    [`swcli runtime tag ${cloud} --remove t1`, tag(cloud, ["t1"], { remove: true })],
    ["swcli runtime tag mnist -q -r -f", undefined],
  ])("%s", (line, expected) => {
    if (expected) expect(parseLine(line)).toMatchObject(expected);
    else expect(usageErrorOf(line).message).toBe("--remove needs the tags to remove");
  });

  it("refuses --force-add with --remove", () => {
    expect(usageErrorOf("swcli runtime tag mnist t1 -r -f").message).toBe(
      "--force-add and --remove can't be used together",
    );
  });
});

describe("runtime dockerize", () => {
  const defaults: DockerizeOptions = {
    runtime: "pytorch",
    tags: [],
    push: false,
    platforms: ["amd64"],
    dryRun: false,
    builder: "native",
    useStarwhaleBuilder: false,
    resetQemuStatic: false,
    ociLayout: undefined,
    dockerArchive: undefined,
  };
  const dockerize = (changes: Partial<DockerizeOptions>) => ({
    command: "runtime dockerize",
    options: { ...defaults, ...changes },
  });
  it.each([
    ["swcli runtime dockerize pytorch", dockerize({})],
    [
      "swcli runtime dockerize pytorch -t r/a:1 --tag r/a:2 --push",
      dockerize({ tags: ["r/a:1", "r/a:2"], push: true }),
    ],
    ["swcli runtime dockerize pytorch --platform arm64", dockerize({ platforms: ["arm64"] })],
    [
      "swcli runtime dockerize pytorch --platform amd64 --platform arm64 --platform amd64",
      dockerize({ platforms: ["amd64", "arm64"] }),
    ],
    ["swcli runtime dockerize pytorch --dry-run", dockerize({ dryRun: true })],
    ["swcli runtime dockerize pytorch --builder buildx", dockerize({ builder: "buildx" })],
    [
      "swcli runtime dockerize pytorch --use-starwhale-builder",
      dockerize({ builder: "buildx", useStarwhaleBuilder: true }),
    ],
    [
      "swcli runtime dockerize pytorch --reset-qemu-static",
      dockerize({ builder: "buildx", resetQemuStatic: true }),
    ],
    ["swcli runtime dockerize pytorch --oci-layout out/image", dockerize({ ociLayout: "out/image" })],
    [
      "swcli runtime dockerize pytorch --docker-archive out/image.tar",
      dockerize({ dockerArchive: "out/image.tar" }),
    ],
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it("refuses platforms and builders it doesn't have", () => {
    expect(usageErrorOf("swcli runtime dockerize pytorch --platform s390x").message).toContain(
      "Allowed choices are amd64, arm64.",
    );
    expect(usageErrorOf("swcli runtime dockerize pytorch --builder kaniko").message).toContain(
      "Allowed choices are native, buildx.",
    );
    expect(
      usageErrorOf("swcli runtime dockerize pytorch --builder native --use-starwhale-builder").message,
    ).toBe("--use-starwhale-builder needs --builder buildx");
  });
});

describe("runtime activate, extract, history, recover, remove", () => {
  it.each([
    [
      "swcli runtime activate pytorch",
      "runtime activate",
      { runtime: "pytorch", forceRestore: false, print: false } satisfies ActivateOptions,
    ],
    [
      "swcli rt actv pytorch/version/v1 -f",
      "runtime activate",
      { runtime: "pytorch/version/v1", forceRestore: true, print: false } satisfies ActivateOptions,
    ],
    [
      "swcli runtime activate mnist --force-restore --print",
      "runtime activate",
      { runtime: "mnist", forceRestore: true, print: true } satisfies ActivateOptions,
    ],
    [
      "swcli runtime extract mnist",
      "runtime extract",
      { runtime: "mnist", force: false, targetDir: undefined } satisfies ExtractOptions,
    ],
    [
      "swcli runtime extract mnist -f --target-dir /tmp/x",
      "runtime extract",
      { runtime: "mnist", force: true, targetDir: "/tmp/x" } satisfies ExtractOptions,
    ],
    [
      "swcli runtime history mnist",
      "runtime history",
      { runtime: "mnist", fullname: false } satisfies HistoryOptions,
    ],
    [
      "swcli runtime history mnist --fullname",
      "runtime history",
      { runtime: "mnist", fullname: true } satisfies HistoryOptions,
    ],
    [
      "swcli runtime recover mnist/version/abcd",
      "runtime recover",
      { runtime: "mnist/version/abcd", force: false } satisfies RecoverOptions,
    ],
    [
      "swcli runtime recover mnist -f",
      "runtime recover",
      { runtime: "mnist", force: true } satisfies RecoverOptions,
    ],
    [
      "swcli runtime remove mnist",
      "runtime remove",
      { runtime: "mnist", force: false, yes: false } satisfies RemoveOptions,
    ],
    [
      "swcli runtime rm mnist/version/v1 -f -y",
      "runtime remove",
      { runtime: "mnist/version/v1", force: true, yes: true } satisfies RemoveOptions,
    ],
    [
      "swcli runtime remove mnist --force --yes",
      "runtime remove",
      { runtime: "mnist", force: true, yes: true } satisfies RemoveOptions,
    ],
    [
      "swcli runtime restore /opt/starwhale.user/runtime",
      "runtime restore",
      { target: "/opt/starwhale.user/runtime" },
    ],
  ])("%s", (line, command, options) => {
    expect(parseLine(line)).toMatchObject({ command, options });
  });

  it("takes activate -f as a plain flag: a value after it is an extra argument", () => {
    expect(usageErrorOf("swcli runtime activate mnist -f 1").message).toBe(
      "too many arguments for 'activate'. Expected 1 argument but got 2: mnist, 1.",
    );
  });
});

describe("runtime lock", () => {
  const defaults: LockOptions = {
    targetDir: ".",
    yamlPath: undefined,
    env: { kind: "auto" },
    stdout: false,
    includeEditable: false,
    includeLocalWheel: false,
    dumpPipOptions: false,
    noCache: false,
  };
  const lock = (changes: Partial<LockOptions>) => ({
    command: "runtime lock",
    options: { ...defaults, ...changes },
  });
  it.each([
    ["swcli runtime lock", lock({})],
    [
      "swcli runtime lock example/pytorch -f example/pytorch/runtime.yaml",
      lock({ targetDir: "example/pytorch", yamlPath: "example/pytorch/runtime.yaml" }),
    ],
    ["swcli runtime lock -n pytorch", lock({ env: { kind: "conda-name", name: "pytorch" } })],
    [
      "swcli runtime lock --env-prefix-path .venv -so",
      lock({ env: { kind: "prefix", path: ".venv" }, stdout: true }),
    ],
    [
      "swcli runtime lock -s -ie -ilw -dpo",
      lock({ env: { kind: "shell" }, includeEditable: true, includeLocalWheel: true, dumpPipOptions: true }),
    ],
    ["swcli runtime lock --emit-pip-options -nc", lock({ dumpPipOptions: true, noCache: true })],
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(expected);
  });

  it("refuses two environments", () => {
    expect(usageErrorOf("swcli runtime lock -n pytorch -s").message).toBe(
      "choose one environment, not --env-name and --env-use-shell",
    );
  });
});

describe("the runtime group", () => {
  it("prints help (to stderr) and exits 2 without a subcommand", () => {
    expect(() => parseLine("swcli runtime")).toThrow(/exit 2/);
  });

  it("suggests the closest subcommand", () => {
    expect(usageErrorOf("swcli runtime biuld").message).toBe(
      "unknown command 'biuld'\n(Did you mean build?)",
    );
  });
});
