import { execFile } from "node:child_process";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppError } from "@swhub/shared/errors";
import { isCode } from "../fs/atomic";
import {
  formatPyvenvCfg,
  isInterpreterPath,
  parsePyvenvCfg,
  pythonVersionOf,
  relocateText,
} from "./relocate";

/*
 * What a packed environment leaves out, made fresh on this machine: `pythonX.Y -m venv --without-pip` gives the
 * interpreter links (to wherever this machine's Python X.Y lives) and a pyvenv.cfg whose `home` is right here.
 * It is made in a directory of its own while the archive unpacks, then its pieces are moved into the tree.
 */

export interface VenvSkeletonOptions {
  systemSitePackages: boolean;
  prompt?: string;
}

const execFileAsync = promisify(execFile);

/** Create the skeleton venv at `dir` with `interpreter`, which must be Python `python` (X.Y). */
export async function createVenvSkeleton(
  interpreter: string,
  python: string,
  dir: string,
  options: VenvSkeletonOptions,
): Promise<void> {
  const args = [
    "-m",
    "venv",
    "--without-pip",
    ...(options.systemSitePackages ? ["--system-site-packages"] : []),
  ];
  if (options.prompt) args.push("--prompt", options.prompt);
  try {
    await execFileAsync(interpreter, [...args, dir], { maxBuffer: 16 << 20 });
  } catch (error) {
    // Missing outright, or a pyenv/asdf shim for a version that is not installed (exit 127): "not here".
    if (isCode(error, "ENOENT", "EACCES") || (error as { code?: unknown }).code === 127) {
      throw new AppError(
        "not_found",
        `Python ${python} is not installed: the packed environment needs ${interpreter}`,
        `install Python ${python}, or name its interpreter explicitly`,
      );
    }
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new AppError("internal", `${interpreter} -m venv failed${stderr ? `: ${stderr}` : ""}`);
  }
  const have = pythonVersionOf(parsePyvenvCfg(await readFile(join(dir, "pyvenv.cfg"), "utf8")));
  if (have !== python) {
    throw new AppError(
      "invalid_input",
      `${interpreter} is Python ${have}, but the packed environment needs ${python}`,
    );
  }
}

/**
 * Move the skeleton's interpreter links, and any activate script or lib64 link the unpacked `tree` lacks, into
 * `tree`; write pyvenv.cfg as the skeleton's plus any extra keys the packed one had (`packedCfg`). Wherever the
 * skeleton wrote its own path, `prefix` (the tree's final place) is written instead.
 */
export async function adoptVenvSkeleton(
  skeleton: string,
  tree: string,
  prefix: string,
  packedCfg: Buffer | undefined,
): Promise<void> {
  const treeBin = new Set(await readdir(join(tree, "bin")).catch(() => []));
  for (const name of await readdir(join(skeleton, "bin"))) {
    if (!isInterpreterPath(`bin/${name}`) && treeBin.has(name)) continue;
    const from = join(skeleton, "bin", name);
    if (/^activate/i.test(name)) {
      await writeFile(from, relocateText(`bin/${name}`, await readFile(from), [skeleton], prefix));
    }
    await rename(from, join(tree, "bin", name));
  }
  await rename(join(skeleton, "lib64"), join(tree, "lib64")).catch((error) => {
    // Absent on platforms without lib64, or already in the tree from the archive.
    if (!isCode(error, "ENOENT", "EEXIST", "ENOTEMPTY", "EISDIR")) throw error;
  });
  const cfg = parsePyvenvCfg(await readFile(join(skeleton, "pyvenv.cfg"), "utf8"));
  for (const [key, value] of parsePyvenvCfg(packedCfg?.toString("utf8") ?? "")) {
    if (!cfg.has(key)) cfg.set(key, value);
  }
  const text = Buffer.from(formatPyvenvCfg(cfg));
  await writeFile(join(tree, "pyvenv.cfg"), relocateText("pyvenv.cfg", text, [skeleton], prefix));
}
