// `pip freeze` without pip: the same lines, in the same order, from the distributions on disk; and Starwhale's
// requirements lock built from them.
import { resolve } from "node:path";
import { formatVenvLock } from "@swhub/shared/schemas";
import { directReference } from "./direct-url";
import type { Distribution } from "./distributions";
import { gitEditableInfo } from "./git";
import { normalizeName, normalizeVersion } from "./pep440";

export interface FreezeOptions {
  /** X.Y.Z of the environment: before 3.12, pip freeze also hides setuptools, distribute and wheel. */
  pythonVersion: string;
  /** `--exclude-editable`. */
  excludeEditable?: boolean;
  /** `--all`: keep pip (and the build backends). */
  all?: boolean;
  /** `--exclude NAME`, repeatable. */
  exclude?: string[];
}

/** pip's `_format_as_name_version`: `Name==1.0` for PEP 440 versions (normalised), `Name===raw` otherwise. */
export function nameVersion(dist: Pick<Distribution, "name" | "version">): string {
  const normal = normalizeVersion(dist.version);
  return normal === null ? `${dist.name}===${dist.version}` : `${dist.name}==${normal}`;
}

function skippedNames(options: FreezeOptions): Set<string> {
  const skip = new Set(["python", "wsgiref", "argparse"]);
  if (!options.all) {
    skip.add("pip");
    const [major = 0, minor = 0] = options.pythonVersion.split(".").map(Number);
    if (major < 3 || (major === 3 && minor < 12))
      for (const name of ["setuptools", "distribute", "wheel"]) skip.add(name);
  }
  for (const name of options.exclude ?? []) skip.add(normalizeName(name));
  return skip;
}

/** One distribution as pip freeze prints it; an editable install may carry comment lines first. */
export async function freezeEntry(dist: Distribution): Promise<string[]> {
  if (dist.editableLocation) {
    const location = resolve(dist.editableLocation);
    const display = nameVersion(dist);
    const vcs = await gitEditableInfo(location, dist.name, display);
    const info = vcs ?? {
      requirement: location,
      comments: [`# Editable install with no version control (${display})`],
    };
    return [...info.comments, `-e ${info.requirement}`];
  }
  return [dist.directUrl ? directReference(dist.directUrl, dist.name) : nameVersion(dist)];
}

/** The lines `python -m pip freeze` prints for these distributions (from `readDistributions`). */
export async function freezeDistributions(
  distributions: Distribution[],
  options: FreezeOptions,
): Promise<string[]> {
  const skip = skippedNames(options);
  const kept = distributions.filter(
    (dist) => !skip.has(dist.canonicalName) && !(options.excludeEditable && dist.editableLocation),
  );
  // Python sorts by `name.lower()` in code point order; so does `<` on these ASCII names.
  kept.sort((a, b) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const entries = await Promise.all(kept.map((dist) => freezeEntry(dist)));
  return entries.flat();
}

/** Starwhale's filter for local wheels: `name @ file:///…/x.whl` (optionally with `#sha256=…`). */
export function isLocalWheelLine(line: string): boolean {
  return line.includes("@ file://") && (line.endsWith(".whl") || line.includes(".whl#"));
}

export interface RequirementsLockOptions {
  /** The version written in the header, e.g. "0.6.15". */
  generator: string;
  /** `--index-url …` lines to put before the requirements (see `resolvePipOptions`). */
  pipOptions?: string[];
  includeLocalWheel?: boolean;
}

/**
 * `requirements-sw-lock.txt` as Starwhale writes it: the header line, pip options, the freeze, local wheels dropped
 * unless asked for, lines joined by "\n" with no trailing newline.
 */
export function renderRequirementsLock(freezeLines: string[], options: RequirementsLockOptions): string {
  return formatVenvLock({
    generatedBy: options.generator,
    options: options.pipOptions ?? [],
    requirements: freezeLines.filter((line) => options.includeLocalWheel || !isLocalWheelLine(line)),
  });
}
