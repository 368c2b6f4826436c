/**
 * Runs the real swcli in processes of their own, against a sandbox: a temp HOME, config file and store, and pip
 * isolated and offline. Build the bundle once per test file:
 *
 *   const build = await buildSwcli();                       // beforeAll (~1 s); build.remove() in afterAll
 *   const box = await createSandbox(build.entry);           // temp dirs; box.cleanup() in afterAll
 *   await box.placeBundle("self", "mnist", version, file);  // a .swrt in Starwhale's layout
 *   const run = await box.swcli(["runtime", "list"], { input: "y\n", env: { SHELL: "/bin/bash" } });
 *   expect(run).toMatchObject({ code: 0 });
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildCli } from "../../build.mjs";

export interface SwcliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SwcliBuild {
  /** The bundle's entry module. */
  entry: string;
  /** Deletes the bundle (in afterAll). */
  remove(): Promise<void>;
}

/** Builds the CLI bundle into a temp dir. */
export async function buildSwcli(): Promise<SwcliBuild> {
  const dir = await mkdtemp(join(tmpdir(), "swcli-bundle-"));
  await buildCli({ outdir: join(dir, "dist") });
  return { entry: join(dir, "dist", "swcli.mjs"), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  /**
   * Give `input` as a file on stdin instead of through a socket (what Node's pipes are), as a shell redirect
   * would. Shells read a socket badly (fish refuses it).
   */
  inputAsFile?: boolean;
  /** Added to (or, when undefined, removed from) the sandbox's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface Sandbox {
  home: string;
  /** A directory holding an `swcli` executable that runs this build, for shell scripts in tests. */
  bin: string;
  configFile: string;
  /** `SW_LOCAL_STORAGE`. */
  storage: string;
  /** The environment swcli runs with. */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  /** Starts swcli; the caller collects its output with `collect`. */
  start(args: string[], options?: RunOptions): ChildProcess;
  swcli(args: string[], options?: RunOptions): Promise<SwcliRun>;
  /** Puts a bundle at `<storage>/<project>/runtime/<name>/<v[:2]>/<v>.swrt`, with mtime `at` if given. */
  placeBundle(project: string, name: string, version: string, source: string, at?: Date): Promise<string>;
  /** Writes a runtime's tag index (`_manifest.yaml`) as given. */
  placeTagIndex(project: string, name: string, text: string): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * What pip and Python see in every swcli process of the tests: no PIP_* of the machine, no pip config, no user
 * site; `extra` (e.g. PIP_FIND_LINKS) on top.
 */
function isolatedEnv(base: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PIP_|SW_|CONDA_|VIRTUAL_ENV|PYTHONPATH|ZDOTDIR)/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    PYTHONNOUSERSITE: "1",
    // pyenv's shims and versions stay where they are even though HOME moves.
    PYENV_ROOT: process.env.PYENV_ROOT ?? join(process.env.HOME ?? "/root", ".pyenv"),
    ...base,
  };
}

export async function createSandbox(entry: string): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), "swcli-sandbox-"));
  const configFile = join(home, "config", "config.yaml");
  const storage = join(home, "store");
  const bin = join(home, "bin");
  await mkdir(bin);
  const launcher = `const { main } = await import(${JSON.stringify(entry)}); await main(process.argv.slice(1));`;
  await writeFile(
    join(bin, "swcli"),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --input-type=module -e '${launcher}' "$@"\n`,
    {
      mode: 0o755,
    },
  );
  const base = {
    HOME: home,
    SW_CLI_CONFIG: configFile,
    SW_LOCAL_STORAGE: storage,
    SHELL: "/bin/bash",
    PATH: `${bin}:${process.env.PATH}`,
  };
  const envOf = (extra: Record<string, string | undefined> = {}) => {
    const env = { ...isolatedEnv(base), ...extra };
    for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key];
    return env;
  };
  let inputs = 0;
  const start = (args: string[], options: RunOptions = {}) => {
    const script = `const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(args)});`;
    let stdin: "pipe" | number = "pipe";
    if (options.inputAsFile) {
      const file = join(home, `.stdin-${inputs++}`);
      writeFileSync(file, options.input ?? "");
      stdin = openSync(file, "r");
    }
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: options.cwd ?? home,
      env: envOf(options.env),
      stdio: [stdin, "pipe", "pipe"],
    });
    if (typeof stdin === "number") closeSync(stdin);
    else child.stdin?.end(options.input ?? "");
    return child;
  };
  return {
    home,
    bin,
    configFile,
    storage,
    env: envOf,
    start,
    swcli: (args, options) => collect(start(args, options)),
    async placeBundle(project, name, version, source, at) {
      const path = join(storage, project, "runtime", name, version.slice(0, 2), `${version}.swrt`);
      await mkdir(dirname(path), { recursive: true });
      await copyFile(source, path);
      if (at) await utimes(path, at, at);
      return path;
    },
    async placeTagIndex(project, name, text) {
      const path = join(storage, project, "runtime", name, "_manifest.yaml");
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    },
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

export function collect(child: ChildProcess): Promise<SwcliRun> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Fails the test with swcli's output when it did not exit 0. */
export function ok(run: SwcliRun): SwcliRun {
  if (run.code !== 0) {
    throw new Error(`swcli exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return run;
}
