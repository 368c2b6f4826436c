// The sys.path an interpreter of a prefix starts with (what pip scans), worked out from the files alone:
// the base installation's standard library, the prefix's site-packages, and the directories its `.pth` files add.
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { AppError } from "@swhub/shared/errors";
import { listDirectory } from "./distributions";

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `site.addsitedir`: the directory, then each line of its `.pth` files (sorted) that names an existing path. */
export async function addSiteDir(siteDir: string, sysPath: string[]): Promise<void> {
  const dir = resolve(siteDir);
  if (!sysPath.includes(dir)) sysPath.push(dir);
  const pthFiles = (await listDirectory(dir)).filter(
    (name) => name.endsWith(".pth") && !name.startsWith("."),
  );
  for (const name of pthFiles.sort()) {
    let content: string;
    try {
      content = await readFile(join(dir, name), "utf8");
    } catch {
      continue;
    }
    for (const line of content.split("\n")) {
      // Lines starting with `import` run code; they cannot be followed without Python and rarely touch sys.path.
      if (line.startsWith("#") || !line.trim() || /^import[ \t]/.test(line)) continue;
      const entry = resolve(dir, line.trimEnd());
      if (!sysPath.includes(entry) && (await exists(entry))) sysPath.push(entry);
    }
  }
}

/** The stdlib entries of a Python installation at `prefix`: `lib/pythonXY.zip`, `lib/pythonX.Y`, `lib-dynload`. */
export function stdlibPath(prefix: string, xy: string): string[] {
  const lib = join(prefix, "lib", `python${xy}`);
  return [join(prefix, "lib", `python${xy.replace(".", "")}.zip`), lib, join(lib, "lib-dynload")];
}

/** Where a venv's base Python lives: the first ancestor of `home` holding `lib/pythonX.Y/os.py`, as getpath finds it. */
export async function findBasePrefix(home: string, xy: string): Promise<string | undefined> {
  for (let dir = resolve(home); ; dir = dirname(dir)) {
    if (await exists(join(dir, "lib", `python${xy}`, "os.py"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The site-packages directories of a prefix for Python X.Y (`lib64` too where it is a separate directory). */
export async function sitePackagesDirs(prefix: string, xy: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const lib of ["lib", "lib64"]) {
    const dir = join(prefix, lib, `python${xy}`, "site-packages");
    if (await isDirectory(dir)) dirs.push(dir);
  }
  if (dirs.length === 2) {
    const [a, b] = await Promise.all(dirs.map((dir) => stat(dir)));
    if (a!.ino === b!.ino && a!.dev === b!.dev) dirs.pop();
  }
  return dirs;
}

/** sys.path of an interpreter at `prefix` (no PYTHONPATH, no user site): stdlib, then site dirs with their .pth. */
export async function prefixSysPath(stdlib: string[], siteDirs: string[]): Promise<string[]> {
  const sysPath = [...stdlib];
  for (const dir of siteDirs) await addSiteDir(dir, sysPath);
  return sysPath;
}

/**
 * Asks the interpreter itself; used only where the files cannot tell (a venv that includes the system
 * site-packages, whose layout depends on the distribution's patches to `site`).
 */
export async function interpreterSysPath(python: string): Promise<string[]> {
  const env = { ...process.env };
  for (const key of ["PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH"]) delete env[key];
  try {
    const { stdout } = await promisify(execFile)(
      python,
      ["-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
      {
        env,
        timeout: 30_000,
      },
    );
    return JSON.parse(stdout) as string[];
  } catch (error) {
    throw new AppError(
      "internal",
      `could not run ${python} to read its sys.path: ${(error as Error).message}`,
    );
  }
}
