import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { RuntimeYaml } from "@swhub/shared/schemas";
import { createTar } from "nanotar";

/** A file of the build context: where it goes inside the context, and its bytes. */
export interface ContextFile {
  path: string;
  data: Uint8Array;
}

/** The files runtime.yaml names (requirements and conda files, wheels, native files), relative to it. */
export function filesNamedBy(yaml: RuntimeYaml): string[] {
  const names: string[] = [];
  for (const dep of yaml.dependencies) {
    if (dep.kind === "pip_req_file" || dep.kind === "conda_env_file") names.push(dep.deps);
    else if (dep.kind === "wheel") names.push(...dep.deps);
    else if (dep.kind === "native_file") names.push(...dep.deps.map((f) => f.src));
  }
  return [...new Set(names.map(normalizePath))];
}

export function normalizePath(path: string): string {
  return path.trim().replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+/g, "/");
}

/** Why a path can't go into the context (ustar keeps 100 bytes of name; no escaping the context), or nothing. */
export function contextPathProblem(path: string): string | undefined {
  if (!path) return "a file needs a path";
  if (path.startsWith("/") || path.split("/").includes(".."))
    return `${path}: must stay inside the build context`;
  if (path === "runtime.yaml") return "runtime.yaml comes from the text above; rename this file";
  if (new TextEncoder().encode(path).length > 100) return `${path}: paths are limited to 100 bytes`;
  return undefined;
}

/**
 * Packs runtime.yaml and the files into a plain tar, with fixed times so the same files give the same digest (and
 * the server, which already has it, takes no bytes the second time).
 */
export function packContext(yamlText: string, files: ContextFile[]): { tar: Uint8Array; digest: string } {
  const entries = [
    { name: "runtime.yaml", data: new TextEncoder().encode(yamlText) },
    ...files.map((f) => ({ name: f.path, data: f.data })),
  ];
  const tar = createTar(entries, { attrs: { mtime: 0, uid: 0, gid: 0, mode: "644" } });
  return { tar, digest: `sha256:${bytesToHex(sha256(tar))}` };
}
