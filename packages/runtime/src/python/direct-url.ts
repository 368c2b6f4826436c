// PEP 610 `direct_url.json`: where a distribution was installed from, validated as pip validates it (an invalid
// file counts as absent) and rendered as pip freeze renders it.
import { fileURLToPath } from "node:url";

export type DirectUrl = {
  url: string;
  subdirectory?: string;
} & (
  | { kind: "archive"; hash?: string }
  | { kind: "dir"; editable: boolean }
  | { kind: "vcs"; vcs: string; commitId: string; requestedRevision?: string }
);

type Json = Record<string, unknown>;

class Invalid extends Error {}

function field<T>(data: Json, key: string, type: "string" | "boolean" | "object"): T | undefined {
  if (!(key in data)) return undefined;
  const value = data[key];
  const ok =
    type === "object"
      ? typeof value === "object" && value !== null && !Array.isArray(value)
      : typeof value === type;
  if (!ok) throw new Invalid(`${key} must be a ${type}`);
  return value as T;
}

/** Parses the file's text; returns undefined when it is not valid JSON or not a valid PEP 610 document. */
export function parseDirectUrl(text: string): DirectUrl | undefined {
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
    const json = data as Json;
    const url = field<string>(json, "url", "string");
    if (url === undefined) return undefined;
    const subdirectory = field<string>(json, "subdirectory", "string");
    const base = subdirectory === undefined ? { url } : { url, subdirectory };
    const archive = field<Json>(json, "archive_info", "object");
    const dir = field<Json>(json, "dir_info", "object");
    const vcs = field<Json>(json, "vcs_info", "object");
    if ([archive, dir, vcs].filter((info) => info !== undefined).length !== 1) return undefined;
    if (archive) {
      const hash = field<string>(archive, "hash", "string");
      field<Json>(archive, "hashes", "object");
      if (hash !== undefined && !hash.includes("=")) return undefined;
      return hash === undefined ? { ...base, kind: "archive" } : { ...base, kind: "archive", hash };
    }
    if (dir) return { ...base, kind: "dir", editable: field<boolean>(dir, "editable", "boolean") ?? false };
    const info = vcs!;
    const name = field<string>(info, "vcs", "string");
    const commitId = field<string>(info, "commit_id", "string");
    if (name === undefined || commitId === undefined) return undefined;
    const requestedRevision = field<string>(info, "requested_revision", "string");
    return { ...base, kind: "vcs", vcs: name, commitId, ...(requestedRevision ? { requestedRevision } : {}) };
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof Invalid) return undefined;
    throw error;
  }
}

/** pip's `direct_url_as_pep440_direct_reference`: `name @ url[#hash&subdirectory=…]`. */
export function directReference(directUrl: DirectUrl, name: string): string {
  let requirement = `${name} @ `;
  const fragments: string[] = [];
  if (directUrl.kind === "vcs") {
    requirement += `${directUrl.vcs}+${directUrl.url}@${directUrl.commitId}`;
  } else {
    requirement += directUrl.url;
    if (directUrl.kind === "archive" && directUrl.hash) fragments.push(directUrl.hash);
  }
  if (directUrl.subdirectory) fragments.push(`subdirectory=${directUrl.subdirectory}`);
  return fragments.length > 0 ? `${requirement}#${fragments.join("&")}` : requirement;
}

/** The project directory of an editable install recorded in direct_url.json, if it is one. */
export function editableProjectDir(directUrl: DirectUrl): string | undefined {
  if (directUrl.kind !== "dir" || !directUrl.editable || !directUrl.url.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(directUrl.url);
  } catch {
    return undefined;
  }
}
