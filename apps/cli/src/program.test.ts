import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GcOptions } from "./commands/gc";
import type { InstanceLoginOptions } from "./commands/instance";
import type { ProjectListOptions } from "./commands/project";
import { parseLine, printed, usageErrorOf } from "./test-support";

// Each option spelling of the seed, the spec (§3.7, §4–§7) and the brief, as `--help` must show it.
const spellings: Record<string, string[]> = {
  "runtime build": [
    "-c, --conda <name>",
    "-cp, --conda-prefix <path>",
    "-v, --venv <path>",
    "-s, --shell",
    "-y, --yaml <path>",
    "-d, --docker <image>",
    "-n, --name <name>",
    "-p, --project <project>",
    "-del, --disable-env-lock",
    "-nc, --no-cache",
    "--cuda <version>",
    "--cudnn <version>",
    "--arch <arch>",
    "-epo, --emit-pip-options",
    "-dpo, --dump-pip-options",
    "-ecc, --emit-condarc",
    "-dcc, --dump-condarc",
    "-t, --tag <tag>",
    "--push <uri>",
    "--force-push",
    "-dad, --download-all-deps",
    "-ie, --include-editable",
    "-ilw, --include-local-wheel",
    "--pack-env",
  ],
  "runtime activate": ["-f, --force-restore", "--print"],
  "runtime copy": ["-f, --force", "-dlp, --dest-local-project <project>", "-i, --ignore-tag <tag>"],
  "runtime dockerize": [
    "-t, --tag <image>",
    "--push",
    "--platform <platform>",
    "--dry-run",
    "--builder <builder>",
    "--use-starwhale-builder",
    "--reset-qemu-static",
    "--oci-layout <dir>",
    "--docker-archive <file>",
  ],
  "runtime extract": ["-f, --force", "--target-dir <dir>"],
  "runtime history": ["--fullname"],
  "runtime info": ["-of, --output-filter <filter>"],
  "runtime list": [
    "-p, --project <project>",
    "-f, --fullname",
    "-sr, --show-removed",
    "--page <n>",
    "--size <n>",
    "-fl, --filter <filter>",
  ],
  "runtime lock": [
    "-f, --yaml-path <path>",
    "-n, --env-name <name>",
    "-p, --env-prefix-path <path>",
    "-s, --env-use-shell",
    "-so, --stdout",
    "-ie, --include-editable",
    "-ilw, --include-local-wheel",
    "-dpo, --dump-pip-options",
    "-epo, --emit-pip-options",
    "-nc, --no-cache",
  ],
  "runtime recover": ["-f, --force"],
  "runtime remove": ["-f, --force", "-y, --yes"],
  "runtime tag": ["-r, --remove", "-q, --quiet", "-f, --force-add"],
  "instance login": ["--alias <alias>", "--token <token>", "--username <name>", "--password <password>"],
  "instance logout": ["-y, --yes"],
  "project list": ["-i, --instance <instance>", "--page <n>", "--size <n>"],
  gc: ["--dry-run", "-y, --yes"],
};

describe("--help", () => {
  it.each(Object.entries(spellings))("of %s lists every option spelling", (command, flags) => {
    const { out, code } = printed(`${command} --help`);
    expect(code).toBe(0);
    const optionLines = out.split("\n").map((line) => line.trim());
    for (const flags_ of flags)
      expect(optionLines.some((line) => line.startsWith(`${flags_} `) || line === flags_)).toBe(true);
  });

  it("shows a choice's values and default", () => {
    const { out } = printed("runtime info --help");
    expect(out).toMatch(
      /-of, --output-filter <filter>\s+what to show \(choices: "basic", "runtime_yaml", "manifest", "lock", "all", default: "basic"\)/,
    );
  });

  it("lists the runtime subcommands with their aliases, and hides restore", () => {
    const { out } = printed("runtime --help");
    for (const term of [
      "activate|actv",
      "build",
      "copy|cp",
      "dockerize",
      "extract",
      "history",
      "info",
      "list|ls",
      "lock",
      "recover",
      "remove|rm",
      "tag",
    ]) {
      expect(out).toMatch(new RegExp(`^  ${term.replace("|", "\\|")} `, "m"));
    }
    expect(out).not.toMatch(/^ {2}restore/m);
  });

  it("of swcli shows the global options and the command groups", () => {
    const { out } = printed("--help");
    expect(out).toContain("Usage: swcli [global options] <command>");
    for (const text of [
      "-o, --output <format>",
      "-v, --verbose",
      "--version",
      "runtime|rt",
      "instance",
      "project|prj",
      "gc",
    ]) {
      expect(out).toContain(text);
    }
  });

  it("groups build's options the way Starwhale does", () => {
    const { out } = printed("runtime build --help");
    const headings = out.split("\n").filter((line) => line.endsWith(":") && !line.startsWith(" "));
    expect(headings).toEqual([
      "Build sources (choose one; default: --yaml runtime.yaml):",
      "runtime.yaml source:",
      "conda, conda-prefix, venv and shell sources:",
      "Other options:",
      "Options:",
      "Examples:",
    ]);
  });
});

describe("global options", () => {
  it("prints the version from package.json", () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(printed("--version")).toEqual({ out: `swcli, version ${version}\n`, err: "", code: 0 });
  });

  it.each([
    ["swcli -o json runtime list", { output: "json", verbose: 0 }],
    ["swcli --output json rt ls", { output: "json", verbose: 0 }],
    ["swcli --output=json -v runtime list", { output: "json", verbose: 1 }],
    ["swcli -vvv runtime list", { output: undefined, verbose: 3 }],
    ["swcli -v -v --verbose runtime list", { output: undefined, verbose: 3 }],
  ])("%s", (line, globals) => {
    expect(parseLine(line).globals).toEqual(globals);
  });

  it("refuses an output format other than json", () => {
    expect(usageErrorOf("swcli -o yaml runtime list").message).toBe(
      "option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are json.",
    );
  });

  it("names the unknown command", () => {
    const error = usageErrorOf("swcli model list");
    expect(error.message).toBe("unknown command 'model'");
    expect(error.usage).toBe("swcli [global options] <command>");
  });
});

describe("instance, project and gc", () => {
  const login = (options: InstanceLoginOptions) => ({ command: "instance login", options });
  it.each([
    [
      "swcli instance login https://hub.example.com --alias hub --token abc",
      login({
        instance: "https://hub.example.com",
        alias: "hub",
        credentials: { kind: "token", token: "abc" },
      }),
    ],
    [
      "swcli instance login http://127.0.0.1:8082 --alias dev --username admin --password s3cret",
      login({
        instance: "http://127.0.0.1:8082",
        alias: "dev",
        credentials: { kind: "password", username: "admin", password: "s3cret" },
      }),
    ],
    [
      "swcli instance login --alias dev --token t",
      login({ instance: undefined, alias: "dev", credentials: { kind: "token", token: "t" } }),
    ],
  ])("%s", (line, expected) => {
    expect(parseLine(line)).toEqual({ ...expected, globals: { output: undefined, verbose: 0 } });
  });

  it.each([
    ["swcli instance login http://h --token t", "missing required option '--alias <alias>'"],
    [
      "swcli instance login http://h --alias h",
      "give --token TOKEN, or both --username USER and --password PASSWORD",
    ],
    [
      "swcli instance login http://h --alias h --username u",
      "give --token TOKEN, or both --username USER and --password PASSWORD",
    ],
    [
      "swcli instance login http://h --alias h --token t --username u --password p",
      "give --token, or --username and --password, not both",
    ],
  ])("%s is refused", (line, message) => {
    expect(usageErrorOf(line).message).toBe(message);
  });

  it.each([
    ["swcli instance list", "instance list", {}],
    ["swcli instance ls", "instance list", {}],
    ["swcli instance select dev", "instance select", { instance: "dev" }],
    ["swcli instance logout", "instance logout", { instance: undefined, yes: false }],
    ["swcli instance logout dev -y", "instance logout", { instance: "dev", yes: true }],
    ["swcli instance info", "instance info", { instance: undefined }],
    [
      "swcli project list",
      "project list",
      { instance: undefined, page: 1, size: 20 } satisfies ProjectListOptions,
    ],
    [
      "swcli prj ls -i dev --page 2 --size 5",
      "project list",
      { instance: "dev", page: 2, size: 5 } satisfies ProjectListOptions,
    ],
    ["swcli project create myproject", "project create", { project: "myproject" }],
    ["swcli project new cloud://dev/project/x", "project create", { project: "cloud://dev/project/x" }],
    ["swcli project select myproject", "project select", { project: "myproject" }],
    ["swcli project use myproject", "project select", { project: "myproject" }],
    ["swcli project info local/project/self", "project info", { project: "local/project/self" }],
    ["swcli gc", "gc", { dryRun: false, yes: false } satisfies GcOptions],
    ["swcli gc --dry-run --yes", "gc", { dryRun: true, yes: true } satisfies GcOptions],
  ])("%s", (line, command, options) => {
    expect(parseLine(line)).toMatchObject({ command, options });
  });
});
