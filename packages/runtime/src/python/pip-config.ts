// The user's pip index settings for `--dump-pip-options` (`-epo`), read from their pip.conf files without running
// pip. Starwhale asked `pip config list --user` for global.index-url, global.extra-index-url and
// install.trusted-host; we read the same files and let the `install` section override `global`, as pip does.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** `section.option` (option in lower case) → value, multi-line values joined with "\n". */
export type PipConfig = Map<string, string>;

/** Python's configparser (RawConfigParser defaults): `[section]`, `key = value` or `key: value`, indented continuations. */
export function parsePipConf(text: string): PipConfig {
  const config: PipConfig = new Map();
  let section: string | undefined;
  let option: string | undefined;
  let indent = Number.POSITIVE_INFINITY;
  const values = new Map<string, string[]>();
  for (const line of text.split(/\r\n|\r|\n/)) {
    const stripped = line.trim();
    if (stripped.startsWith("#") || stripped.startsWith(";")) continue;
    if (!stripped) {
      if (section && option) values.get(`${section}.${option}`)?.push("");
      continue;
    }
    const lineIndent = line.length - line.trimStart().length;
    if (section && option && lineIndent > indent) {
      values.get(`${section}.${option}`)!.push(stripped);
      continue;
    }
    indent = lineIndent;
    const header = /^\[(.+)\]/.exec(stripped);
    if (header) {
      section = header[1]!;
      option = undefined;
      continue;
    }
    const assignment = /^(.*?)\s*([=:])\s*(.*)$/.exec(stripped);
    if (!section || !assignment?.[1]) continue;
    // pip's `_normalize_name`: `index_url`, `Index-URL` and `--index-url` are the same option.
    option = assignment[1].trimEnd().toLowerCase().replace(/_/g, "-").replace(/^--/, "");
    values.set(`${section}.${option}`, [assignment[3]!.trim()]);
  }
  for (const [key, lines] of values) config.set(key, lines.join("\n").trimEnd());
  return config;
}

export interface PipConfigLocation {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The user-level pip.conf files pip reads, lowest priority first. */
export function userPipConfigFiles({
  env = process.env,
  home = homedir(),
}: PipConfigLocation = {}): string[] {
  const xdg = env.XDG_CONFIG_HOME || join(home, ".config");
  return [join(home, ".pip", "pip.conf"), join(xdg, "pip", "pip.conf")];
}

/** Merged user pip config; empty when `PIP_CONFIG_FILE` is the null device (pip then reads no file at all). */
export async function readUserPipConfig(location: PipConfigLocation = {}): Promise<PipConfig> {
  const env = location.env ?? process.env;
  const merged: PipConfig = new Map();
  if (env.PIP_CONFIG_FILE === "/dev/null") return merged;
  for (const file of userPipConfigFiles(location)) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    for (const [key, value] of parsePipConf(text)) merged.set(key, value);
  }
  return merged;
}

/**
 * Lines for the top of a requirements lock: `--index-url URL`, then one `--extra-index-url URL` and one
 * `--trusted-host HOST` per value (pip reads only the first value of a requirements-file option line).
 */
export async function resolvePipOptions(location: PipConfigLocation = {}): Promise<string[]> {
  const config = await readUserPipConfig(location);
  const setting = (name: string) => config.get(`install.${name}`) ?? config.get(`global.${name}`) ?? "";
  const lines: string[] = [];
  const index = setting("index-url").trim();
  if (index) lines.push(`--index-url ${index}`);
  for (const url of setting("extra-index-url").split(/\s+/).filter(Boolean))
    lines.push(`--extra-index-url ${url}`);
  for (const host of setting("trusted-host").split(/\s+/).filter(Boolean))
    lines.push(`--trusted-host ${host}`);
  return lines;
}
