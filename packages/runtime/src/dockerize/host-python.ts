import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AppError } from "@swhub/shared/errors";
import type { Platform } from "../oci/types";

const run = promisify(execFile);

/** An interpreter on this machine that can run pip for the image's environment. */
export interface HostPython {
  command: string;
  /** X.Y */
  version: string;
  /** `amd64`, `arm64`, ... */
  arch: string;
  /** ensurepip's bundled pip wheel, when the interpreter has one. */
  pipWheel?: string;
}

const probe = [
  "import sys, platform, os, glob",
  "import pip",
  "m = platform.machine().lower()",
  "arch = {'x86_64': 'amd64', 'amd64': 'amd64', 'aarch64': 'arm64', 'arm64': 'arm64'}.get(m, m)",
  "wheels = []",
  "try:",
  "    import ensurepip",
  "    wheels = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))",
  "except Exception:",
  "    pass",
  "print('%d.%d' % sys.version_info[:2]); print(arch); print(wheels[-1] if wheels else '')",
].join("\n");

/**
 * The interpreter to run pip with: the one named, else `pythonX.Y` (same version: bytecode and sdists work),
 * else `python3`. It must have pip. Fails with what to install.
 */
export async function findHostPython(version: string, named?: string): Promise<HostPython> {
  const candidates = named ? [named] : [`python${version}`, "python3"];
  const problems: string[] = [];
  for (const command of candidates) {
    try {
      const { stdout } = await run(command, ["-c", probe], { timeout: 60_000 });
      const [xy = "", arch = "", pipWheel = ""] = stdout.trim().split("\n");
      return { command, version: xy, arch, ...(pipWheel ? { pipWheel } : {}) };
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? "");
      problems.push(
        /No module named .?pip/.test(stderr) ? `${command} has no pip` : `${command} is not usable`,
      );
    }
  }
  throw new AppError(
    "invalid_input",
    `installing the runtime's packages for the image needs Python with pip on this machine: ${problems.join(", ")}`,
    `install pip for python${version} (python${version} -m ensurepip), or pack the environment into the runtime`,
  );
}

/** Linux wheel platform tags pip may use for a glibc-based image, newest first (pip does not expand them itself). */
export function wheelPlatforms(platform: Platform, glibc = "2.28"): string[] {
  const machine = platform.architecture === "arm64" ? "aarch64" : "x86_64";
  const [major, minor] = glibc.split(".").map(Number) as [number, number];
  const tags: string[] = [];
  for (let m = minor; m >= 17; m--) tags.push(`manylinux_${major}_${m}_${machine}`);
  tags.push(`manylinux2014_${machine}`);
  if (machine === "x86_64") {
    tags.push(
      `manylinux_2_12_${machine}`,
      `manylinux2010_${machine}`,
      `manylinux_2_5_${machine}`,
      `manylinux1_${machine}`,
    );
  }
  tags.push(`linux_${machine}`);
  return tags;
}

/** pip's options for installing wheels for another interpreter or machine than the one running pip. */
export function crossPlatformArgs(platform: Platform, python: string, glibc?: string): string[] {
  const nodot = python.replace(".", "");
  return [
    ...wheelPlatforms(platform, glibc).flatMap((tag) => ["--platform", tag]),
    "--python-version",
    python,
    "--implementation",
    "cp",
    "--abi",
    `cp${nodot}`,
    "--abi",
    "abi3",
    "--abi",
    "none",
    "--only-binary=:all:",
  ];
}
