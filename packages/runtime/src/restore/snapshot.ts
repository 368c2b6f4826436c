import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@swhub/shared/errors";
import { formatPath, type RuntimeManifest, runtimeManifestSchema } from "@swhub/shared/schemas";
import { parse } from "yaml";
import { readBundleMember } from "../bundle/read";
import type { Mode } from "./plan";

/*
 * A runtime's files, from its extracted snapshot when there is one, else straight from the bundle (spec §7.2:
 * `info` works on runtimes that were never extracted).
 */

export const manifestName = "_manifest.yaml";

/** Where restore puts the environment of an extracted runtime. */
export const envPrefix = (workdir: string, mode: Mode) => join(workdir, "export", mode);

/** Whether `dir` holds an extracted runtime (its `_manifest.yaml`). */
export async function isExtracted(dir: string): Promise<boolean> {
  return lstat(join(dir, manifestName)).then(
    (s) => s.isFile(),
    () => false,
  );
}

export function parseRuntimeManifest(text: string, source: string): RuntimeManifest {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    throw new AppError("invalid_input", `${source} is not valid YAML`, "build the runtime again");
  }
  const parsed = runtimeManifestSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      "invalid_input",
      `${source} is not a runtime manifest: ${formatPath(issue?.path ?? []) || "(top level)"}: ${issue?.message}`,
      "build the runtime again",
    );
  }
  return parsed.data;
}

/** The manifest of an extracted runtime; a directory without one is refused (Starwhale: "only support swrt extract workdir"). */
export async function readSnapshotManifest(workdir: string): Promise<RuntimeManifest> {
  const path = join(workdir, manifestName);
  const text = await readFile(path, "utf8").catch(() => {
    throw new AppError(
      "invalid_input",
      `${workdir} is not an extracted runtime: it has no ${manifestName}`,
      "extract one with `swcli runtime extract RUNTIME --target-dir DIR`",
    );
  });
  return parseRuntimeManifest(text, path);
}

/**
 * A file of a runtime by its path in the bundle (`runtime.yaml`, `dependencies/…`): from `snapshot` when it is
 * extracted, else from the bundle. A missing file is a `not_found` AppError.
 */
export async function readRuntimeFile(
  bundlePath: string,
  snapshot: string | undefined,
  path: string,
): Promise<Buffer> {
  if (path.startsWith("/") || path.split("/").includes("..")) {
    throw new AppError("invalid_input", `the runtime names the file "${path}", which is outside it`);
  }
  if (snapshot && (await isExtracted(snapshot))) {
    return readFile(join(snapshot, path)).catch(() => {
      throw new AppError("not_found", `the runtime has no ${path}`);
    });
  }
  try {
    return await readBundleMember(bundlePath, path);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      throw new AppError("not_found", `the runtime has no ${path}`);
    }
    throw error;
  }
}
