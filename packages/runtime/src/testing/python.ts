/**
 * Python test helpers: real wheels, real venvs, real pip, fully offline. Every test that touches Python uses these.
 *
 *   const tmp = await makeTempDir("freeze");                        // remove it in afterAll: rm(tmp, {recursive})
 *   const wheels = join(tmp, "wheels");
 *   await buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] });
 *   await buildWheel(wheels, { name: "beta", version: "2.1" });
 *   const venv = await createVenv(join(tmp, "venv"));               // ~0.2 s (clones a cached template venv)
 *   await pipInstall(venv, ["alpha"], { findLinks: wheels });       // isolated pip: no config, no index, no network
 *   const { stdout } = await runPip(venv, ["freeze"]);               // compare us with the real thing
 *
 * - buildWheel(dir, {name, version, requires?, extras?, modules?, scripts?}) writes a valid py3-none-any wheel
 *   (METADATA, WHEEL, RECORD with hashes) into dir and returns its path. Pure Node, a few ms.
 * - buildProject(dir, spec & {legacySetupPy?}) writes a source project with a tiny in-tree PEP 517/660 backend, so
 *   `pipInstall(venv, [dir])`, `pipInstall(venv, [dir], {editable: true})` (PEP 660, `__editable__` .pth) and,
 *   with `legacySetupPy`, `setupPyDevelop(venv, dir)` (egg-link) all work offline.
 * - createVenv(dir, {python?, fresh?}) is `python3 -m venv dir` (with pip and, before 3.12, setuptools). ensurepip
 *   costs ~7 s, so the first call per interpreter builds a template under the OS temp dir (shared by concurrent test
 *   processes, created atomically) and later calls copy it and rewrite its absolute paths. `fresh: true` runs
 *   `python -m venv` for real. `python` is a command or path (default `python3`).
 * - pipInstall(venvOrPython, specs, {findLinks?, editable?, noDeps?, prefix?, extraArgs?}) runs
 *   `python -m pip install --no-index` with pip fully isolated (see pipEnv). `prefix` installs into another prefix
 *   (`pip install --prefix`), which is how tests put pip packages into a fake conda prefix.
 * - runPip(venv, args) runs `<venv>/bin/python -m pip ...` isolated, from a directory holding no metadata (pip lists
 *   `*.dist-info` found in its working directory), and returns {code, stdout, stderr} without throwing.
 * - makeCondaPrefix(dir, {python?, packages?}) lays out a conda prefix as conda leaves it: `conda-meta/history`,
 *   one `conda-meta/<name>-<version>-<build>.json` per package (name, version, build, channel, subdir, url, files
 *   ...), the files themselves, and `lib/pythonX.Y/site-packages` with a dist-info for packages marked `python`.
 *   There is no conda on these machines; the layout is what our code reads.
 * - pythonInfo(python?) → {executable, version} of an interpreter (cached per process).
 * - makeTempDir(label), runCommand(cmd, args, {cwd, env}) (never throws; {code, stdout, stderr}) and pipEnv() (the
 *   isolated environment above, for tests that run Python themselves) are exported too.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { renderMetadata } from "./python-build";

export * from "./python-build";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function runChecked(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv },
) {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.code}):\n${result.stderr || result.stdout}`,
    );
  }
  return result;
}

export async function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `swhub-${label}-`));
}

/**
 * The environment pip runs with in tests: every `PIP_*` variable of the machine removed (its find-links, indexes
 * and constraints are not on a fresh CI machine), config files off, no index, no user site, no PYTHONPATH.
 */
export function pipEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("PIP_") || key === "PYTHONPATH" || key === "VIRTUAL_ENV" || key.startsWith("CONDA_")) {
      continue;
    }
    env[key] = value;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_NO_INDEX: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    PYTHONNOUSERSITE: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    ...extra,
  };
}

export interface PythonInfo {
  executable: string;
  version: string;
}

const pythonInfos = new Map<string, Promise<PythonInfo>>();

export function pythonInfo(python = "python3"): Promise<PythonInfo> {
  let info = pythonInfos.get(python);
  if (!info) {
    const script = "import sys, platform; print(sys.executable); print(platform.python_version())";
    info = runChecked(python, ["-c", script], { env: pipEnv() }).then(({ stdout }) => {
      const [executable = "", version = ""] = stdout.trim().split("\n");
      return { executable, version };
    });
    pythonInfos.set(python, info);
  }
  return info;
}

const templateOrigin = ".swhub-template-origin";

// One template venv per interpreter, shared across test processes: built under a unique name, then renamed into
// place; whoever loses the rename race uses the winner's.
async function venvTemplate(python: string): Promise<string> {
  const info = await pythonInfo(python);
  const key = createHash("sha256").update(`${info.executable}\0${info.version}`).digest("hex").slice(0, 16);
  const root = join(tmpdir(), "swhub-test-cache");
  const template = join(root, `venv-${info.version}-${key}`);
  if (await exists(join(template, templateOrigin))) return template;
  await mkdir(root, { recursive: true });
  const building = join(root, `.building-${randomBytes(6).toString("hex")}`);
  await runChecked(info.executable, ["-m", "venv", building], { env: pipEnv() });
  // Without bytecode every pip run recompiles pip (1.6 s instead of 0.6 s per call).
  await runChecked(
    join(building, "bin", "python"),
    ["-m", "compileall", "-q", "-j0", join(building, "lib")],
    {
      env: pipEnv(),
    },
  );
  await writeFile(join(building, templateOrigin), building);
  try {
    await rename(building, template);
  } catch {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export interface CreateVenvOptions {
  /** Interpreter command or path; default `python3`. */
  python?: string;
  /** Run `python -m venv` itself instead of copying the cached template. */
  fresh?: boolean;
}

/** `python3 -m venv dir`; returns dir. */
export async function createVenv(dir: string, options: CreateVenvOptions = {}): Promise<string> {
  const python = options.python ?? "python3";
  if (options.fresh) {
    const info = await pythonInfo(python);
    await runChecked(info.executable, ["-m", "venv", dir], { env: pipEnv() });
    return dir;
  }
  const template = await venvTemplate(python);
  const origin = await readFile(join(template, templateOrigin), "utf8");
  await mkdir(dirname(dir), { recursive: true });
  if (await exists(dir)) throw new Error(`createVenv: ${dir} already exists`);
  // cp -a is ~10x faster than fs.cp here, and keeps symlinks and mtimes (which the .pyc files are checked against).
  await runChecked("cp", ["-a", template, dir], {});
  await rm(join(dir, templateOrigin));
  // Absolute paths live in pyvenv.cfg, the activate scripts and the pip launchers' shebangs.
  const texts = [join(dir, "pyvenv.cfg")];
  for (const entry of await readdir(join(dir, "bin"), { withFileTypes: true })) {
    if (entry.isFile()) texts.push(join(dir, "bin", entry.name));
  }
  for (const path of texts) {
    const content = await readFile(path, "utf8");
    if (content.includes(origin)) await writeFile(path, content.replaceAll(origin, dir));
  }
  return dir;
}

function venvPython(venvOrPython: string): string {
  return venvOrPython.endsWith("python") || /python3(\.\d+)?$/.test(venvOrPython)
    ? venvOrPython
    : join(venvOrPython, "bin", "python");
}

export interface PipInstallOptions {
  /** Directory of wheels (and projects) pip may install from. */
  findLinks?: string;
  /** Install the specs (project directories) in editable mode. */
  editable?: boolean;
  noDeps?: boolean;
  /** `pip install --prefix`: install into this prefix instead of the interpreter's environment. */
  prefix?: string;
  extraArgs?: string[];
}

/** Installs with real pip, isolated and offline; throws with pip's output when pip fails. */
export async function pipInstall(venvOrPython: string, specs: string[], options: PipInstallOptions = {}) {
  const args = ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--no-warn-script-location"];
  if (options.findLinks) args.push("--find-links", options.findLinks);
  if (options.noDeps) args.push("--no-deps");
  if (options.prefix) args.push("--prefix", options.prefix);
  args.push(...(options.extraArgs ?? []));
  for (const spec of specs) args.push(...(options.editable ? ["-e", spec] : [spec]));
  const cwd = await emptyDir();
  return runChecked(venvPython(venvOrPython), args, { env: pipEnv(), cwd });
}

let emptyDirPath: Promise<string> | undefined;
// pip (like any `python -m`) puts its working directory first on sys.path; an empty one keeps stray metadata out.
// One shared directory that nothing writes to, so test processes leave nothing behind.
function emptyDir(): Promise<string> {
  const dir = join(tmpdir(), "swhub-test-cache", "empty-cwd");
  emptyDirPath ??= mkdir(dir, { recursive: true }).then(() => dir);
  return emptyDirPath;
}

/** Runs `python -m pip ARGS` in the venv, isolated; returns the exit code and output without throwing. */
export async function runPip(venvOrPython: string, args: string[]): Promise<RunResult> {
  return runCommand(venvPython(venvOrPython), ["-m", "pip", ...args], {
    env: pipEnv(),
    cwd: await emptyDir(),
  });
}

/** `setup.py develop --no-deps` in a project made with `buildProject(dir, {legacySetupPy: true})`. */
export async function setupPyDevelop(venv: string, projectDir: string) {
  return runChecked(venvPython(venv), ["setup.py", "develop", "--no-deps"], {
    env: pipEnv(),
    cwd: projectDir,
  });
}

export interface CondaPackageSpec {
  name: string;
  version: string;
  build?: string;
  buildNumber?: number;
  /** Channel name (`conda-forge`, `pkgs/main`) or full URL. Default `conda-forge`. */
  channel?: string;
  subdir?: string;
  depends?: string[];
  /** Files by path relative to the prefix. */
  files?: Record<string, string>;
  /** Lay out `site-packages/<name>-<version>.dist-info` owned by this package, as conda-built Python packages do. */
  python?: { requires?: string[]; installer?: string; directUrl?: unknown };
}

export interface CondaPrefixSpec {
  /** The Python the prefix holds (a `python` package record is added). Default `3.11.7`. */
  python?: string;
  packages?: CondaPackageSpec[];
}

function channelUrl(channel: string, subdir: string): string {
  if (/^\w+:\/\//.test(channel)) return `${channel.replace(/\/$/, "")}/${subdir}`;
  if (channel.startsWith("pkgs/")) return `https://repo.anaconda.com/${channel}/${subdir}`;
  return `https://conda.anaconda.org/${channel}/${subdir}`;
}

/** Lays out a conda prefix at dir (see the guide above) and returns dir. */
export async function makeCondaPrefix(dir: string, spec: CondaPrefixSpec = {}): Promise<string> {
  const python = spec.python ?? "3.11.7";
  const xy = python.split(".").slice(0, 2).join(".");
  const sitePackages = `lib/python${xy}/site-packages`;
  const packages: CondaPackageSpec[] = [
    {
      name: "python",
      version: python,
      build: `h955ad1f_0_cpython`,
      files: { [`bin/python${xy}`]: "#!/bin/sh\nexit 1\n", [`lib/python${xy}/os.py`]: "" },
    },
    ...(spec.packages ?? []),
  ];
  await mkdir(join(dir, "conda-meta"), { recursive: true });
  await mkdir(join(dir, sitePackages), { recursive: true });
  const history = [
    "==> 2024-01-01 00:00:00 <==",
    `# cmd: conda create -p ${dir} python=${xy}`,
    "# conda version: 23.11.0",
  ];
  for (const pkg of packages) {
    const build = pkg.build ?? "h0_0";
    const subdir = pkg.subdir ?? "linux-64";
    const channel = channelUrl(pkg.channel ?? "conda-forge", subdir);
    const files: Record<string, string> = { ...pkg.files };
    if (pkg.python) {
      const distInfo = `${sitePackages}/${pkg.name.replace(/-/g, "_")}-${pkg.version}.dist-info`;
      files[`${distInfo}/METADATA`] = renderMetadata({ ...pkg, requires: pkg.python.requires ?? [] });
      files[`${distInfo}/INSTALLER`] = `${pkg.python.installer ?? "conda"}\n`;
      if (pkg.python.directUrl) files[`${distInfo}/direct_url.json`] = JSON.stringify(pkg.python.directUrl);
      files[`${sitePackages}/${pkg.name.replace(/-/g, "_")}/__init__.py`] = "";
    }
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    const fn = `${pkg.name}-${pkg.version}-${build}.conda`;
    const record = {
      build,
      build_number: pkg.buildNumber ?? 0,
      channel,
      constrains: [],
      depends: pkg.depends ?? [],
      files: Object.keys(files).sort(),
      fn,
      license: "",
      md5: createHash("md5").update(fn).digest("hex"),
      name: pkg.name,
      requested_spec: "",
      size: 0,
      subdir,
      timestamp: 0,
      url: `${channel}/${fn}`,
      version: pkg.version,
    };
    await writeFile(
      join(dir, "conda-meta", `${pkg.name}-${pkg.version}-${build}.json`),
      JSON.stringify(record, null, 2),
    );
    history.push(`+${channel.replace(/^https:\/\/[^/]+\//, "")}::${pkg.name}-${pkg.version}-${build}`);
  }
  history.push(`# update specs: ['python=${xy}']`, "");
  await writeFile(join(dir, "conda-meta", "history"), history.join("\n"));
  return dir;
}
