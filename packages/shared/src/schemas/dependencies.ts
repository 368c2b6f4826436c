import { z } from "zod";
import { describe } from "./issues";

/** The kinds Starwhale records in `_manifest.yaml` `dependencies.raw_deps` (spec §2). */
export const dependencyKinds = [
  "pip_pkg",
  "pip_req_file",
  "conda_pkg",
  "conda_env_file",
  "wheel",
  "native_file",
  "command",
] as const;
export type DependencyKind = (typeof dependencyKinds)[number];

export const nativeFileSchema = z.object({
  src: z
    .string({ error: "is required (a file or directory, relative to runtime.yaml)" })
    .min(1, "must not be empty"),
  dest: z
    .string({ error: "is required (where the file goes in the environment)" })
    .min(1, "must not be empty"),
  name: z.string().optional(),
  pre: z.string().optional(),
  post: z.string().optional(),
});
export type NativeFile = z.infer<typeof nativeFileSchema>;

export type RawDependency =
  | { kind: "pip_req_file" | "conda_env_file"; deps: string }
  | { kind: "pip_pkg" | "conda_pkg" | "wheel" | "command"; deps: string[] }
  | { kind: "native_file"; deps: NativeFile[] };

const listKeys = { pip: "pip_pkg", conda: "conda_pkg", wheels: "wheel", commands: "command" } as const;
const expectedEntry =
  "expected a requirements file (.txt, .in), a conda environment file (.yaml, .yml), or a mapping with pip, conda, wheels, files or commands";

/**
 * The `dependencies` list of runtime.yaml, in order. Each entry becomes one raw dependency, and a mapping with several
 * keys becomes one per key, in the order written (Starwhale's DependenciesTestCase).
 */
export const dependenciesSchema = z
  .array(z.unknown(), { error: "must be a list" })
  .default([])
  .transform((entries, ctx) => {
    const out: RawDependency[] = [];
    entries.forEach((entry, i) => {
      const issue = (message: string, ...path: (string | number)[]) =>
        ctx.addIssue({ code: "custom", message, path: [i, ...path] });
      if (typeof entry === "string") {
        if (/\.(txt|in)$/.test(entry)) out.push({ kind: "pip_req_file", deps: entry });
        else if (/\.ya?ml$/.test(entry)) out.push({ kind: "conda_env_file", deps: entry });
        else issue(`unsupported entry ${describe(entry)}, ${expectedEntry}`);
        return;
      }
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
        issue(`unsupported entry ${describe(entry)}, ${expectedEntry}`);
        return;
      }
      for (const [key, value] of Object.entries(entry)) {
        if (key === "files") {
          const files = z
            .array(nativeFileSchema, { error: "expected a list of {src, dest}" })
            .safeParse(value);
          if (files.success) out.push({ kind: "native_file", deps: files.data });
          else for (const f of files.error.issues) issue(f.message, key, ...(f.path as (string | number)[]));
          continue;
        }
        const kind = listKeys[key as keyof typeof listKeys];
        if (!kind) {
          issue(`unsupported key "${key}", expected one of pip, conda, wheels, files, commands`);
          continue;
        }
        if (!Array.isArray(value)) {
          issue(`expected a list of strings, got ${describe(value)}`, key);
          continue;
        }
        const items: string[] = [];
        value.forEach((item, j) => {
          if (typeof item !== "string") issue(`expected a string, got ${describe(item)}`, key, j);
          else if (kind === "wheel" && !item.endsWith(".whl"))
            issue(`"${item}" is not a wheel (expected a path ending in .whl)`, key, j);
          else if (item.trim() !== "") items.push(item.trim());
        });
        out.push({ kind, deps: items });
      }
    });
    return out;
  });

/** Starwhale's aggregated lists, kept in the manifest for clients up to 0.3.0. */
export function aggregateDependencies(raw: RawDependency[]) {
  const pick = (kind: DependencyKind) =>
    raw.filter((d) => d.kind === kind).flatMap((d) => d.deps as string | string[]);
  return {
    pip_pkgs: pick("pip_pkg"),
    conda_pkgs: pick("conda_pkg"),
    pip_files: pick("pip_req_file"),
    conda_files: pick("conda_env_file"),
  };
}
