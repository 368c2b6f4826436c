// Builders for Python artifacts that tests install with real pip: wheels, and source projects with an
// in-tree build backend. Re-exported by `@swhub/runtime/testing/python`; see the guide at the top of that file.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { zipSync } from "fflate";

export interface WheelSpec {
  name: string;
  version: string;
  /** `Requires-Dist` lines, PEP 508 (`"beta>=2"`, `"gamma; extra == 'fast'"`). */
  requires?: string[];
  /** `Provides-Extra` names. */
  extras?: string[];
  /** Files of the wheel by path. Default: `<import_name>/__init__.py` holding `__version__`. */
  modules?: Record<string, string>;
  /** console_scripts entry points: command name → `module:function`. */
  scripts?: Record<string, string>;
}

/** The file-name form of a project name (wheel spec: runs of non-alphanumerics become `_`). */
export function escapeWheelName(name: string): string {
  return name.replace(/[^\w\d.]+/g, "_").replace(/\./g, "_");
}

/** The importable module name the default `modules` use. */
export function importName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

export function wheelFileName(spec: Pick<WheelSpec, "name" | "version">): string {
  return `${escapeWheelName(spec.name)}-${spec.version}-py3-none-any.whl`;
}

export function renderMetadata(spec: WheelSpec): string {
  const lines = ["Metadata-Version: 2.1", `Name: ${spec.name}`, `Version: ${spec.version}`];
  for (const extra of spec.extras ?? []) lines.push(`Provides-Extra: ${extra}`);
  for (const req of spec.requires ?? []) lines.push(`Requires-Dist: ${req}`);
  return `${lines.join("\n")}\n\n`;
}

function defaultModules(spec: WheelSpec): Record<string, string> {
  return { [`${importName(spec.name)}/__init__.py`]: `__version__ = "${spec.version}"\n` };
}

function recordHash(data: Uint8Array): string {
  return `sha256=${createHash("sha256").update(data).digest("base64url")}`;
}

/** The bytes of a valid py3-none-any wheel: modules, then METADATA, WHEEL, entry_points.txt and RECORD. */
export function renderWheel(spec: WheelSpec): Uint8Array {
  const distInfo = `${escapeWheelName(spec.name)}-${spec.version}.dist-info`;
  const files = new Map<string, Uint8Array>();
  const encode = (text: string) => new TextEncoder().encode(text);
  for (const [path, content] of Object.entries(spec.modules ?? defaultModules(spec)))
    files.set(path, encode(content));
  files.set(`${distInfo}/METADATA`, encode(renderMetadata(spec)));
  files.set(
    `${distInfo}/WHEEL`,
    encode("Wheel-Version: 1.0\nGenerator: swhub-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
  );
  const scripts = Object.entries(spec.scripts ?? {});
  if (scripts.length > 0) {
    const body = scripts.map(([cmd, target]) => `${cmd} = ${target}`).join("\n");
    files.set(`${distInfo}/entry_points.txt`, encode(`[console_scripts]\n${body}\n`));
  }
  const record = [...files].map(([path, data]) => `${path},${recordHash(data)},${data.length}`);
  record.push(`${distInfo}/RECORD,,`);
  files.set(`${distInfo}/RECORD`, encode(`${record.join("\n")}\n`));
  // A fixed mtime keeps wheels byte-identical between runs.
  const mtime = new Date("2020-01-01T00:00:00Z");
  return zipSync(Object.fromEntries([...files].map(([path, data]) => [path, [data, { mtime }]])));
}

/** Writes `dir/<name>-<version>-py3-none-any.whl` and returns its path. */
export async function buildWheel(dir: string, spec: WheelSpec): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, wheelFileName(spec));
  await writeFile(path, renderWheel(spec));
  return path;
}

export interface ProjectSpec extends WheelSpec {
  /** Also write a setuptools `setup.py`, for legacy `setup.py develop` (egg-link) installs. */
  legacySetupPy?: boolean;
}

// A PEP 517/660 backend small enough to live in the project: pip builds and installs the project (also with
// `-e`) offline, with no setuptools or wheel in the build environment.
const backendSource = String.raw`
import base64, hashlib, os, zipfile

def _dist_info():
    return NAME.replace("-", "_").replace(".", "_") + "-" + VERSION + ".dist-info"

def _metadata():
    lines = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + VERSION]
    lines += ["Provides-Extra: " + e for e in EXTRAS]
    lines += ["Requires-Dist: " + r for r in REQUIRES]
    return "\n".join(lines) + "\n\n"

def _write(directory, files):
    name = NAME.replace("-", "_").replace(".", "_") + "-" + VERSION + "-py3-none-any.whl"
    di = _dist_info()
    files = dict(files)
    files[di + "/METADATA"] = _metadata().encode()
    files[di + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: swhub-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(path + ",sha256=" + digest + "," + str(len(data)))
    record.append(di + "/RECORD,,")
    files[di + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(directory, name), "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return name

def _here():
    return os.path.dirname(os.path.abspath(__file__))

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_editable(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {}
    for path in MODULES:
        with open(os.path.join(_here(), path), "rb") as f:
            files[path] = f.read()
    return _write(wheel_directory, files)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    pth = "__editable__." + NAME.replace("-", "_") + "-" + VERSION + ".pth"
    return _write(wheel_directory, {pth: (_here() + "\n").encode()})

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError("this test backend builds wheels only")
`;

/** Writes a source project at `dir` (modules, pyproject.toml, the in-tree backend) and returns `dir`. */
export async function buildProject(dir: string, spec: ProjectSpec): Promise<string> {
  const modules = spec.modules ?? defaultModules(spec);
  const py = (value: unknown) => JSON.stringify(value);
  const files: Record<string, string> = {
    ...modules,
    "pyproject.toml": `[build-system]\nrequires = []\nbuild-backend = "_swhub_backend"\nbackend-path = ["."]\n`,
    "_swhub_backend.py": [
      `NAME = ${py(spec.name)}`,
      `VERSION = ${py(spec.version)}`,
      `REQUIRES = ${py(spec.requires ?? [])}`,
      `EXTRAS = ${py(spec.extras ?? [])}`,
      `MODULES = ${py(Object.keys(modules))}`,
      backendSource,
    ].join("\n"),
  };
  if (spec.legacySetupPy) {
    const topLevel = [...new Set(Object.keys(modules).map((path) => path.split("/")[0]!))];
    const packages = topLevel.filter((name) => !name.endsWith(".py"));
    const pyModules = topLevel.filter((name) => name.endsWith(".py")).map((name) => name.slice(0, -3));
    files["setup.py"] = [
      "from setuptools import setup",
      `setup(name=${py(spec.name)}, version=${py(spec.version)}, packages=${py(packages)},`,
      `      py_modules=${py(pyModules)}, install_requires=${py(spec.requires ?? [])})`,
      "",
    ].join("\n");
  }
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
