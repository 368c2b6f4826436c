import { type ChildProcess, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildCli } from "../build.mjs";

// These run the real swcli in a process of its own, with its config under a temp dir. Most go through the
// bundle, built once from the current source (fast to start); the launcher tests go through
// apps/cli/bin/swcli.mjs exactly as users do.
const cliDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = join(cliDir, "..", "..");
const bin = join(cliDir, "bin", "swcli.mjs");
const { version } = JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8"));

let bundleEntry: string;

beforeAll(async () => {
  const outdir = join(mkdtempSync(join(tmpdir(), "swcli-bundle-")), "dist");
  await buildCli({ outdir });
  bundleEntry = join(outdir, "swcli.mjs");
});

let home: string;
let configFile: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "swcli-int-"));
  configFile = join(home, "config", "config.yaml");
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(command: string, args: string[], options: { cwd?: string } = {}): ChildProcess {
  return spawn(command, args, {
    cwd: options.cwd ?? home,
    env: { PATH: process.env.PATH, HOME: home, SW_CLI_CONFIG: configFile },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

function finish(child: ChildProcess, input?: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `main(args)` of a module, as the launcher does after choosing it. */
function startMain(entry: string, args: string[], preload = ""): ChildProcess {
  const script = `${preload}const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(args)});`;
  return start(process.execPath, ["--input-type=module", "-e", script]);
}

const swcli = (args: string[], input = "") => finish(startMain(bundleEntry, args), input);
const swcliBin = (args: string[]) => finish(start(process.execPath, [bin, ...args]));

function expectNoStackTrace(run: Run) {
  expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe("swcli as a process", () => {
  it("prints its version and exits 0", async () => {
    expect(await swcli(["--version"])).toEqual({
      code: 0,
      stdout: `swcli, version ${version}\n`,
      stderr: "",
    });
  });

  it("exits 2 with the message and the usage line for an unknown option", async () => {
    const run = await swcli(["runtime", "list", "--bogus"]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: unknown option '--bogus'\nusage: swcli runtime list|ls [options]\n",
    });
  });

  it("exits 2 for two build sources, naming both, without a stack trace", async () => {
    const run = await swcli(["runtime", "build", "-c", "pytorch", "-cp", "/opt/conda/envs/x"]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: choose one build source, not --conda and --conda-prefix\nusage: swcli runtime build [options]\n",
    });
  });

  it("lists no projects on a fresh standalone instance", async () => {
    const run = await swcli(["project", "list"]);
    expect(run).toEqual({
      code: 0,
      stdout: "no projects on local; create one with: swcli project create NAME\n",
      stderr: "",
    });
  });

  it("exits 1 with the error and a hint for a failing command", async () => {
    const run = await swcli(["instance", "select", "nope"]);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'error: no instance "nope" is logged in\nhint: log in first: swcli instance login <url> --alias nope\n',
    });
  });

  it("creates the config with mode 0600 and prints parseable JSON, and only JSON, with -o json", async () => {
    expect(existsSync(configFile)).toBe(false);
    const run = await swcli(["-o", "json", "instance", "list"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({
        alias: "local",
        uri: "local",
        type: "standalone",
        current_project: "self",
        current: true,
      }),
    ]);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(configFile, "utf8"))).toMatchObject({
      version: "2.0",
      current_instance: "local",
      storage: { root: join(home, ".starwhale") },
    });
  });

  it("exits 1 naming the config file when its YAML is broken, and leaves it as it was", async () => {
    mkdirSync(join(home, "config"));
    writeFileSync(configFile, "version: '2.0'\ninstances: {local: [\n");
    const run = await swcli(["instance", "list"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^error: config file ${configFile} is not valid YAML: `));
    expect(lines[1]).toBe("hint: fix the file, or move it away and swcli writes a fresh one");
    expect(readFileSync(configFile, "utf8")).toBe("version: '2.0'\ninstances: {local: [\n");
    expectNoStackTrace(run);
  });

  it("regenerates a config of another version with a notice on stderr, keeping stdout JSON", async () => {
    mkdirSync(join(home, "config"));
    writeFileSync(configFile, "version: '1.0'\n");
    const run = await swcli(["-o", "json", "instance", "info"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^notice: .+ has config version "1\.0".+regenerated/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      alias: "local",
      storage_root: join(home, ".starwhale"),
      config_path: configFile,
    });
    expect(readFileSync(`${configFile}.bak`, "utf8")).toBe("version: '1.0'\n");
  });

  it("reads the answer to a question from a pipe", async () => {
    mkdirSync(join(home, "config"));
    writeFileSync(
      configFile,
      'version: "2.0"\ncurrent_instance: dev\ninstances:\n  local: { uri: local, type: standalone }\n  dev: { uri: "http://127.0.0.1:8082", type: cloud, sw_token: t }\n',
    );
    const run = await swcli(["instance", "logout", "dev"], "y\n");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("logged out of dev; current instance: local\n");
    expect(run.stderr).toBe("Log out of dev (http://127.0.0.1:8082)? [y/N] ");
    const saved = parse(readFileSync(configFile, "utf8"));
    expect(Object.keys(saved.instances)).toEqual(["local"]);
    expect(saved.current_instance).toBe("local");
  });

  it("exits 130 on Ctrl-C without noise, changing nothing", async () => {
    mkdirSync(join(home, "config"));
    const config =
      'version: "2.0"\ncurrent_instance: local\ninstances:\n  local: { uri: local }\n  dev: { uri: "http://h:1" }\n';
    writeFileSync(configFile, config);
    const child = startMain(bundleEntry, ["instance", "logout", "dev"]);
    const done = finish(child);
    // Wait for the question, then press Ctrl-C (a pipe has no terminal, so it arrives as SIGINT).
    await new Promise<void>((resolve) =>
      child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("[y/N]")) resolve();
      }),
    );
    child.kill("SIGINT");
    const run = await done;
    // Nothing but the question and readline's line end, so the shell prompt starts on a line of its own.
    expect(run).toMatchObject({ code: 130, stdout: "" });
    expect(run.stderr).toMatch(/^Log out of dev \(http:\/\/h:1\)\? \[y\/N\] \r?\n?$/);
    expect(readFileSync(configFile, "utf8")).toBe(config);
  });
});

describe("the bundle's code cache", () => {
  // A bundle of its own, so that no other test's runs have written caches into it.
  let entry: string;
  beforeAll(async () => {
    entry = join(
      (await buildCli({ outdir: join(mkdtempSync(join(tmpdir(), "swcli-cache-")), "dist") })).outdir,
      "swcli.mjs",
    );
  });
  const swcli = (args: string[]) => finish(startMain(entry, args));
  const cacheFiles = (command: string) => {
    const dir = join(dirname(entry), "code-cache");
    return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(`${command}-`)) : [];
  };

  it("is written by a command's first good run, and the next run, reading it, answers the same", async () => {
    expect(cacheFiles("project-list")).toEqual([]);
    const first = await swcli(["project", "list"]);
    expect(first.code).toBe(0);
    expect(cacheFiles("project-list")).toEqual([expect.stringMatching(/^project-list-[0-9a-f]{40}\.v8$/)]);
    expect(await swcli(["project", "list"])).toEqual(first);
  });

  it("is not written by a run that fails", async () => {
    expect((await swcli(["model", "list", "--bogus"])).code).toBe(2);
    expect(cacheFiles("model-list")).toEqual([]);
  });

  it("is replaced when V8 refuses it, and the command still runs", async () => {
    const first = await swcli(["instance", "list"]);
    const [name] = cacheFiles("instance-list");
    const file = join(dirname(entry), "code-cache", name!);
    writeFileSync(file, "not a code cache");
    expect(await swcli(["instance", "list"])).toEqual(first);
    expect(statSync(file).size).toBeGreaterThan(100_000);
  });
});

describe("the launcher, bin/swcli.mjs", () => {
  it("prints its version and exits 0", async () => {
    expect(await swcliBin(["--version"])).toEqual({
      code: 0,
      stdout: `swcli, version ${version}\n`,
      stderr: "",
    });
  });

  it("keeps exit codes and stderr of a usage error", async () => {
    expect(await swcliBin(["runtime", "list", "--page", "0"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: option '--page <n>' argument '0' is invalid. Expected a whole number of at least 1.\nusage: swcli runtime list|ls [options]\n",
    });
  });

  it("prints nothing but swcli's own output through `pnpm --silent swcli`", async () => {
    const run = await finish(start("pnpm", ["--silent", "swcli", "--version"], { cwd: repoRoot }));
    expect(run).toEqual({ code: 0, stdout: `swcli, version ${version}\n`, stderr: "" });
  });

  it("runs the TypeScript source the same way when the bundle is stale (its source branch)", async () => {
    const register = 'const { register } = await import("tsx/esm/api"); register();';
    const run = await finish(
      start(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `${register}const { main } = await import(${JSON.stringify(join(cliDir, "src", "main.ts"))}); await main(["rt", "build", "-y", "a.yaml", "-v", "venv"]);`,
        ],
        { cwd: cliDir },
      ),
    );
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "error: choose one build source, not --venv and --yaml\nusage: swcli runtime build [options]\n",
    });
  });
});
