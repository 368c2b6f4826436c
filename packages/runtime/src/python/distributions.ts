// Installed distributions, read from disk the way pip 23's importlib backend finds them, without running Python:
// `*.dist-info` and `*.egg-info` (directory or file) in each sys.path entry in directory order, the first of a
// name winning, then the targets of `.egg-link` files.
import { opendir, readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type DirectUrl, editableProjectDir, parseDirectUrl } from "./direct-url";
import {
  type Metadata,
  metadataValue,
  metadataValues,
  parseMetadata,
  requiresTxtExtras,
  requiresTxtToRequiresDist,
} from "./metadata";
import { normalizeName } from "./pep440";

export interface Distribution {
  /** `Name:` as written in the metadata. */
  name: string;
  /** PEP 503 form of `name`. */
  canonicalName: string;
  /** `Version:` as written. */
  version: string;
  /** `Requires-Dist` values, or the egg-info `requires.txt` converted to them. */
  requires: string[];
  providesExtras: string[];
  format: "dist-info" | "egg-info" | "egg-info-file";
  /** The `.dist-info` / `.egg-info` path. */
  infoPath: string;
  /** The directory holding `infoPath` (site-packages, or a project directory for legacy develop installs). */
  location: string;
  /** First line of INSTALLER (`pip`, `conda`, ...), "" when absent. */
  installer: string;
  directUrl?: DirectUrl;
  /** The project directory when installed in editable mode (PEP 660 direct_url.json, or an .egg-link). */
  editableLocation?: string;
}

/** Entry names of a directory in the order the OS lists them (as `os.listdir`), [] when it is not a directory. */
export async function listDirectory(path: string): Promise<string[]> {
  try {
    const dir = await opendir(path, { bufferSize: 256 });
    const names: string[] = [];
    for await (const entry of dir) names.push(entry.name);
    return names;
  } catch {
    return [];
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

// importlib.metadata's Lookup: metadata entries grouped by normalised name, groups in order of first appearance.
function infoEntries(names: string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const low = name.toLowerCase();
    if (!low.endsWith(".dist-info") && !low.endsWith(".egg-info")) continue;
    const key = normalizeName(low.slice(0, low.lastIndexOf(".")).split("-")[0]!).replace(/-/g, "_");
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups.values()].flat();
}

interface RawDistribution extends Omit<Distribution, "editableLocation"> {
  /** pip's `canonical_name`, taken from the info directory's name; used to drop invalid leftovers. */
  dirName: string;
}

async function loadDistribution(infoPath: string): Promise<RawDistribution | undefined> {
  const isDistInfo = infoPath.toLowerCase().endsWith(".dist-info");
  const inside = (file: string) => readText(join(infoPath, file));
  let text = (await inside("METADATA")) || (await inside("PKG-INFO"));
  let format: Distribution["format"] = isDistInfo ? "dist-info" : "egg-info";
  if (!text) {
    text = await readText(infoPath);
    if (text) format = "egg-info-file";
  }
  if (!text) return undefined;
  const metadata: Metadata = parseMetadata(text);
  const name = metadataValue(metadata, "Name");
  if (name === undefined) return undefined;
  const [requiresTxt, installerText, directUrlText] =
    format === "egg-info-file"
      ? [undefined, undefined, undefined]
      : await Promise.all([
          metadataValues(metadata, "Requires-Dist").length > 0 ? undefined : inside("requires.txt"),
          inside("INSTALLER"),
          inside("direct_url.json"),
        ]);
  let requires = metadataValues(metadata, "Requires-Dist");
  let providesExtras = metadataValues(metadata, "Provides-Extra");
  if (requires.length === 0 && requiresTxt) requires = requiresTxtToRequiresDist(requiresTxt);
  if (providesExtras.length === 0 && requiresTxt) providesExtras = requiresTxtExtras(requiresTxt);
  const installer =
    (installerText ?? "")
      .split(/\r\n|\r|\n/)
      .find((line) => line.trim())
      ?.trim() ?? "";
  const directUrl = directUrlText === undefined ? undefined : parseDirectUrl(directUrlText);
  const stem = basename(infoPath).slice(0, basename(infoPath).lastIndexOf("."));
  return {
    name,
    canonicalName: normalizeName(name),
    version: metadataValue(metadata, "Version") ?? "",
    requires,
    providesExtras,
    format,
    infoPath,
    location: dirname(infoPath),
    installer,
    ...(directUrl ? { directUrl } : {}),
    dirName: normalizeName(stem.split("-")[0]!),
  };
}

// pip skips what is not a valid project name, such as `~atplotlib.dist-info` left by an interrupted upgrade.
const validProjectName = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** pkg_resources' safe_name, which names `.egg-link` files. */
function eggLinkName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9.]+/g, "-")}.egg-link`;
}

/**
 * The distributions visible on `sysPath` (entries in interpreter order), as pip lists them with
 * `local_only=False`: one per name, the first found winning.
 */
export async function readDistributions(sysPath: string[]): Promise<Distribution[]> {
  const listings = await Promise.all(sysPath.map((entry) => listDirectory(entry)));
  const eggLinks = new Set<string>();
  const linkedTargets = new Map<string, Promise<string[]>>();
  for (const [i, names] of listings.entries()) {
    for (const name of names) if (name.endsWith(".egg-link")) eggLinks.add(join(sysPath[i]!, name));
  }
  // Read every candidate in parallel, then resolve precedence in order.
  const candidates = listings.map((names, i) => {
    const entry = sysPath[i]!;
    const direct = infoEntries(names).map((name) => loadDistribution(join(entry, name)));
    const linked = names
      .filter((name) => name.endsWith(".egg-link"))
      .map(async (name) => {
        const content = (await readText(join(entry, name))) ?? "";
        const target = content
          .split(/\r\n|\r|\n/)
          .map((line) => line.trim())
          .find(Boolean);
        if (!target) return [];
        const targetDir = resolve(entry, target);
        let targetNames = linkedTargets.get(targetDir);
        if (!targetNames) {
          targetNames = listDirectory(targetDir);
          linkedTargets.set(targetDir, targetNames);
        }
        return Promise.all(
          infoEntries(await targetNames).map((info) => loadDistribution(join(targetDir, info))),
        );
      });
    return { direct, linked };
  });
  const found = new Set<string>();
  const distributions: Distribution[] = [];
  const take = (dist: RawDistribution | undefined) => {
    if (!dist || found.has(dist.canonicalName)) return;
    found.add(dist.canonicalName);
    if (!validProjectName.test(dist.dirName)) return;
    const { dirName: _, ...rest } = dist;
    distributions.push({ ...rest, ...editable(rest, sysPath, eggLinks) });
  };
  for (const { direct, linked } of candidates) {
    for (const dist of await Promise.all(direct)) take(dist);
    for (const group of await Promise.all(linked)) for (const dist of group) take(dist);
  }
  return distributions;
}

function editable(dist: Omit<Distribution, "editableLocation">, sysPath: string[], eggLinks: Set<string>) {
  if (dist.directUrl) {
    const location = editableProjectDir(dist.directUrl);
    return location ? { editableLocation: resolve(location) } : {};
  }
  const linkName = eggLinkName(dist.name);
  return sysPath.some((entry) => eggLinks.has(join(entry, linkName)))
    ? { editableLocation: dist.location }
    : {};
}
