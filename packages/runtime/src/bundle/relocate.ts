/*
 * What moving a venv to another directory changes inside it. Everything else in a venv is position-independent;
 * these text files name the prefix: console-script shebangs and activate scripts in bin/, `.pth` and `.egg-link`
 * files, and `direct_url.json` of packages installed from a path under the prefix. Binary files (including .pyc)
 * are never edited: a path of another length would corrupt them.
 */

/** Linux truncates longer shebang lines (127 bytes before 5.1); pip switches to a /bin/sh wrapper beyond it. */
const maxShebang = 127;

/** Interpreter entries of a venv's bin/: recreated by `python -m venv`, never stored. */
export function isInterpreterPath(path: string): boolean {
  return /^bin\/(python|pypy)(3(\.\d+)?)?$/.test(path);
}

/** Whether a file at this path inside a venv may name the prefix and should be rewritten when it moves. */
export function mayNamePrefix(path: string): boolean {
  return (
    /^bin\/[^/]+$/.test(path) ||
    path.endsWith(".pth") ||
    path.endsWith(".egg-link") ||
    /\.dist-info\/direct_url\.json$/.test(path)
  );
}

/**
 * Replace every occurrence of the old prefixes (as whole path components) in a text file with `to`, and keep
 * shebang lines valid. Binary content (a NUL byte near the start, or a bin/ file that is neither a script nor an
 * activate script) is returned untouched.
 */
export function relocateText(path: string, data: Buffer, from: string[], to: string): Buffer {
  if (data.subarray(0, 8192).includes(0)) return data;
  const isScript = data[0] === 0x23 && data[1] === 0x21; // "#!"
  if (path.startsWith("bin/") && !isScript && !/^bin\/activate/i.test(path)) return data;
  let text = data.toString("utf8");
  let changed = false;
  const replace = (pattern: RegExp, by: string) => {
    const next = text.replace(pattern, () => by);
    if (next !== text) changed = true;
    text = next;
  };
  // Longest first, so that "/a/b" inside "/a/b/c" is not replaced before "/a/b/c" is.
  const prefixes = [...from].filter((p) => p !== to && p !== "").sort((a, b) => b.length - a.length);
  if (path.endsWith("direct_url.json")) {
    // pip writes file URLs percent-encoded ("file:///my%20env/..."): keep the new one encoded the same way.
    for (const prefix of prefixes) {
      replace(
        new RegExp(`file://${escapeRegExp(quotePath(prefix))}(?![\\w.%-])`, "g"),
        `file://${quotePath(to)}`,
      );
    }
  }
  for (const prefix of prefixes) replace(new RegExp(`${escapeRegExp(prefix)}(?![\\w.-])`, "g"), to);
  if (!changed) return data;
  if (isScript) text = fixShebang(text);
  return Buffer.from(text, "utf8");
}

/**
 * A `#!/path/to/python` line the kernel cannot run (too long, or with spaces) becomes pip's portable form:
 * a /bin/sh script that execs the interpreter, which Python then reads as a harmless string literal.
 */
export function fixShebang(text: string): string {
  const end = text.indexOf("\n");
  const first = end < 0 ? text : text.slice(0, end);
  const interpreter = first.slice(2).trim();
  if (Buffer.byteLength(first) <= maxShebang && !interpreter.includes(" ")) return text;
  if (!/\/python[\w.]*$/.test(interpreter)) return text;
  const rest = end < 0 ? "" : text.slice(end + 1);
  return `#!/bin/sh\n'''exec' "${interpreter}" "$0" "$@"\n' '''\n${rest}`;
}

/** `key = value` lines of pyvenv.cfg, in order. */
export function parsePyvenvCfg(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf("=");
    if (at < 0) continue;
    entries.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  return entries;
}

export function formatPyvenvCfg(entries: Map<string, string>): string {
  return [...entries].map(([key, value]) => `${key} = ${value}\n`).join("");
}

/** Python "X.Y" from pyvenv.cfg (`version` from venv, `version_info` from virtualenv, `version_info` from uv). */
export function pythonVersionOf(cfg: Map<string, string>): string | undefined {
  const version = cfg.get("version") ?? cfg.get("version_info");
  return version?.match(/^(\d+\.\d+)/)?.[1];
}

/** Python's urllib.parse.quote(path): UTF-8 bytes outside [A-Za-z0-9_.~/-] as %XX. */
export function quotePath(path: string): string {
  return [...Buffer.from(path, "utf8")]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9_.~/-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
