// Conda prefixes: validate one, read its package records from `conda-meta/*.json`, and produce what
// `conda env export --prefix P` prints: by running conda when there is one, from the records when there is not.
import { execFile } from "node:child_process";
import { access, constants, readFile, stat } from "node:fs/promises";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { AppError, invalidInput } from "@swhub/shared/errors";
import { parse as parseYaml } from "yaml";
import { listDirectory } from "./distributions";

export interface CondaRecord {
  name: string;
  version: string;
  build: string;
  /** The record's channel as conda prints it in `channels:` (`conda-forge`, `defaults`, or a URL). */
  channel: string;
  subdir: string;
  url: string;
  /** Paths relative to the prefix. */
  files: string[];
}

export interface CondaPrefixInfo {
  prefix: string;
  /** What `conda env export` puts in `name:` for this prefix. */
  name: string;
  python: string;
  /** X.Y.Z of the `python` package, when the prefix has one. */
  pythonVersion?: string;
  sitePackages?: string;
  records: CondaRecord[];
}

export interface CondaEnvExport {
  name?: string | null;
  channels?: string[];
  dependencies?: Array<string | { pip?: string[] } | Record<string, unknown>>;
  prefix?: string;
  [key: string]: unknown;
}

type Json = Record<string, unknown>;
const text = (value: unknown) => (typeof value === "string" ? value : "");

const defaultChannels = new Set(["pkgs/main", "pkgs/r", "pkgs/msys2", "pkgs/pro", "pkgs/free"]);

/** Channel.canonical_name: `conda-forge` for conda.anaconda.org channels, `defaults` for repo.anaconda.com. */
export function canonicalChannel(record: Json): string {
  const schannel = text(record.schannel);
  if (schannel) return defaultChannels.has(schannel) ? "defaults" : schannel;
  let channel = text(record.channel) || text(record.url).replace(/\/[^/]+$/, "");
  if (!channel) return "<unknown>";
  const subdir = text(record.subdir);
  if (subdir && channel.endsWith(`/${subdir}`)) channel = channel.slice(0, -subdir.length - 1);
  const match = /^https?:\/\/(?:conda\.anaconda\.org|repo\.anaconda\.com|repo\.continuum\.io)\/(.+)$/.exec(
    channel,
  );
  const name = match ? match[1]! : channel;
  return defaultChannels.has(name) ? "defaults" : name;
}

/** conda's `env_name`: the base env is `base`, envs under an `envs` directory go by name, others by path. */
export async function condaEnvName(prefix: string): Promise<string> {
  if (basename(dirname(prefix)) === "envs") return basename(prefix);
  const isBase = await Promise.all([join(prefix, "condabin", "conda"), join(prefix, "envs")].map(exists));
  return isBase[0] ? "base" : prefix;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Validates a conda prefix (it must hold `conda-meta/`) and reads its package records. */
export async function inspectCondaPrefix(prefix: string): Promise<CondaPrefixInfo> {
  const root = resolve(prefix);
  const meta = join(root, "conda-meta");
  const isDir = await stat(meta).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw invalidInput(
      `${prefix} is not a conda prefix: conda-meta/ not found`,
      "pass the env's directory, as `conda env list` shows it",
    );
  }
  const names = (await listDirectory(meta)).filter((name) => name.endsWith(".json")).sort();
  const records = await Promise.all(
    names.map(async (file): Promise<CondaRecord> => {
      let json: Json;
      try {
        json = JSON.parse(await readFile(join(meta, file), "utf8")) as Json;
      } catch {
        throw invalidInput(`${join(meta, file)} is not valid JSON`, "repair or remove that package record");
      }
      return {
        name: text(json.name),
        version: text(json.version),
        build: text(json.build) || text(json.build_string),
        channel: canonicalChannel(json),
        subdir: text(json.subdir),
        url: text(json.url),
        files: Array.isArray(json.files) ? json.files.filter((f): f is string => typeof f === "string") : [],
      };
    }),
  );
  const python = records.find((record) => record.name === "python");
  const info: CondaPrefixInfo = {
    prefix: root,
    name: await condaEnvName(root),
    python: join(root, "bin", "python"),
    records,
  };
  if (python) {
    info.pythonVersion = python.version;
    const xy = python.version.split(".").slice(0, 2).join(".");
    info.sitePackages = join(root, "lib", `python${xy}`, "site-packages");
  }
  return info;
}

/** The conda executable: `$CONDA_EXE`, else `conda` on PATH; undefined when there is none. */
export async function findCondaExe(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = [
    env.CONDA_EXE,
    ...(env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, "conda")),
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  return undefined;
}

/** Runs `conda env export --prefix P` and parses its YAML. */
export async function runCondaEnvExport(condaExe: string, prefix: string): Promise<CondaEnvExport> {
  try {
    const { stdout } = await promisify(execFile)(condaExe, ["env", "export", "--prefix", prefix], {
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return (parseYaml(stdout) ?? {}) as CondaEnvExport;
  } catch (error) {
    throw new AppError(
      "internal",
      `${condaExe} env export --prefix ${prefix} failed: ${(error as Error).message}`,
    );
  }
}

/**
 * What `conda env export` prints, worked out from the records: packages `name=version=build` sorted by name, the
 * channels they came from in front of `defaults`, and a `pip:` item when site-packages holds distributions no
 * conda package owns (`pip` is the list of those names; callers replace it with a freeze).
 */
export async function exportFromRecords(info: CondaPrefixInfo, pipNames: string[]): Promise<CondaEnvExport> {
  const records = [...info.records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const channels = ["defaults"];
  for (const record of records) if (!channels.includes(record.channel)) channels.unshift(record.channel);
  const dependencies: NonNullable<CondaEnvExport["dependencies"]> = records.map(
    (record) => `${record.name}=${record.version}=${record.build}`,
  );
  if (pipNames.length > 0) dependencies.push({ pip: pipNames });
  return { name: info.name, channels, dependencies, prefix: info.prefix };
}

/** Site-packages entries (relative to the prefix) that conda packages own, to tell pip installs apart. */
export function condaOwnedFiles(info: CondaPrefixInfo): Set<string> {
  const owned = new Set<string>();
  for (const record of info.records) {
    for (const file of record.files) {
      const match = /^(.*?\.(?:dist-info|egg-info))(?:\/|$)/.exec(file);
      if (match) owned.add(match[1]!);
    }
  }
  return owned;
}
