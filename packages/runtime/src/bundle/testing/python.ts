/*
 * Real Python for the packed-environment tests: wheels built with Python's zipfile (no build backend needed),
 * venvs from `python3 -m venv --without-pip` (seconds faster than with pip), and the host pip installing into
 * them through `--python`, isolated from the machine's pip configuration. Private to this folder's tests.
 */
import { execFileSync } from "node:child_process";

export interface WheelSpec {
  name: string;
  version: string;
  /** Paths inside the wheel (purelib) and their content. */
  files: Record<string, string>;
  /** `[console_scripts]` entries: script name → "module:function". */
  scripts?: Record<string, string>;
}

const wheelScript = `
import base64, hashlib, json, os, sys, zipfile
spec, outdir = json.loads(sys.argv[1]), sys.argv[2]
name, version = spec["name"], spec["version"]
dist = f"{name}-{version}.dist-info"
files = dict(spec["files"])
files[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"
files[f"{dist}/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: swhub-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
if spec.get("scripts"):
    files[f"{dist}/entry_points.txt"] = "[console_scripts]\\n" + "".join(f"{k} = {v}\\n" for k, v in spec["scripts"].items())
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
record = "".join(f"{p},{digest(d.encode())},{len(d.encode())}\\n" for p, d in files.items()) + f"{dist}/RECORD,,\\n"
files[f"{dist}/RECORD"] = record
path = os.path.join(outdir, f"{name}-{version}-py3-none-any.whl")
with zipfile.ZipFile(path, "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
print(path)
`;

/** Build a pure-Python wheel into `outDir`; returns its path. */
export function buildWheel(outDir: string, spec: WheelSpec): string {
  return execFileSync("python3", ["-c", wheelScript, JSON.stringify(spec), outDir])
    .toString()
    .trim();
}

/** A venv without pip (fast to create). */
export function makeVenv(prefix: string): void {
  execFileSync("python3", ["-m", "venv", "--without-pip", prefix]);
}

/** pip, isolated from the machine's configuration and indexes. */
export function pipInstall(prefix: string, args: string[]): void {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
  };
  for (const key of ["PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]) delete env[key];
  execFileSync(
    "python3",
    ["-m", "pip", "--python", `${prefix}/bin/python`, "install", "--no-index", ...args],
    {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
}

/** X.Y of the python3 on PATH. */
export function hostPythonVersion(): string {
  return execFileSync("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
    .toString()
    .trim();
}
