// Core metadata files (METADATA, PKG-INFO) and legacy requires.txt, read the way Python's email parser
// (compat32, which importlib.metadata uses) and pip read them.

/** Header name (lower case) → values in file order. */
export type Metadata = Map<string, string[]>;

const headerLine = /^([\x21-\x39\x3b-\x7e]*):(.*)$/;

/**
 * Parses RFC 822 style headers up to the first blank line. A line starting with a space or tab continues the
 * previous value (kept with its line break, as compat32 does); a line that is not a header ends the headers.
 */
export function parseMetadata(text: string): Metadata {
  const metadata: Metadata = new Map();
  let current: { name: string; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const key = current.name.toLowerCase();
    const value = current.lines.join("\n");
    metadata.set(key, [...(metadata.get(key) ?? []), value]);
    current = undefined;
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") break;
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (current) current.lines.push(line);
      continue;
    }
    const match = headerLine.exec(line);
    if (!match) break;
    flush();
    current = { name: match[1]!, lines: [match[2]!.replace(/^[ \t]+/, "")] };
  }
  flush();
  return metadata;
}

export function metadataValue(metadata: Metadata, name: string): string | undefined {
  return metadata.get(name.toLowerCase())?.[0];
}

export function metadataValues(metadata: Metadata, name: string): string[] {
  return metadata.get(name.toLowerCase()) ?? [];
}

/** pkg_resources' `safe_extra`. */
export function safeExtra(extra: string): string {
  return extra.replace(/[^A-Za-z0-9.-]+/g, "_").toLowerCase();
}

interface RequiresEntry {
  requirement: string;
  extra: string;
  marker: string;
}

function parseRequiresTxt(content: string): RequiresEntry[] {
  const entries: RequiresEntry[] = [];
  let extra = "";
  let marker = "";
  for (const raw of content.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.startsWith("[") && line.endsWith("]")) {
      const section = line.replace(/^\[+|\]+$/g, "");
      const colon = section.indexOf(":");
      extra = colon < 0 ? section : section.slice(0, colon);
      marker = colon < 0 ? "" : section.slice(colon + 1);
      continue;
    }
    entries.push({ requirement: line, extra, marker });
  }
  return entries;
}

/** An egg-info `requires.txt` as PEP 508 `Requires-Dist` strings, converted as pip does. */
export function requiresTxtToRequiresDist(content: string): string[] {
  return parseRequiresTxt(content).map(({ requirement, extra, marker }) => {
    let condition = "";
    if (extra && marker) condition = `(${marker}) and extra == "${safeExtra(extra)}"`;
    else if (extra) condition = `extra == "${safeExtra(extra)}"`;
    else if (marker) condition = marker;
    return condition ? `${requirement} ; ${condition}` : requirement;
  });
}

/** The extras an egg-info `requires.txt` declares (its section names). */
export function requiresTxtExtras(content: string): string[] {
  const extras: string[] = [];
  for (const { extra } of parseRequiresTxt(content)) {
    if (extra && !extras.includes(extra)) extras.push(extra);
  }
  return extras;
}
