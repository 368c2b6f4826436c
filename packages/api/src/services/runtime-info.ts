import type { Database } from "@swhub/db/client";
import { type BundleFile, runtimeImages, runtimeVersions } from "@swhub/db/schema";
import { BUILTIN_LATEST_TAG } from "@swhub/shared/names";
import { desc, eq, sql } from "drizzle-orm";
import { type Actor, getProjectAccess } from "./access";
import { type Page, type Paging, pageWindow } from "./paging";
import { getRuntimeRow, getVersionRow, type RuntimeRef, resolveRuntimeRef } from "./runtime-resolver";
import { summarizeVersions, userNames, type VersionSummary } from "./runtime-rows";

export interface VersionInfo extends VersionSummary {
  project: { id: string; name: string };
  runtime: { id: string; name: string; owner: { id: string; name: string } };
  /** `_manifest.yaml` as the bundle has it. */
  manifest: Record<string, unknown>;
  /** The text of the bundle's `runtime.yaml`, or null. */
  runtimeYaml: string | null;
  /** Lock files by path inside the bundle. */
  lockFiles: Record<string, string>;
  fileCount: number;
  /** OCI images built from this version. */
  images: { reference: string; digest: string; platforms: string[]; createdAt: Date }[];
}

/** The runtime and version a reference names, resolved in a project the caller can read. */
async function locate(db: Database, input: { user: Actor; project: string } & RuntimeRef) {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const resolved = await resolveRuntimeRef(db, project, input);
  const runtime = await getRuntimeRow(db, project.id, resolved.name);
  const version = await getVersionRow(db, runtime.id, resolved.version!);
  return { project, runtime, version };
}

/**
 * Resolves a reference to full names: what swcli asks before acting on `NAME`, `NAME/TAG`, `NAME/PREFIX` or a bare
 * version prefix. With `removed`, among removed versions (for `recover`).
 */
export async function resolveRuntimeVersion(
  db: Database,
  input: { user: Actor; project: string; removed?: boolean } & RuntimeRef,
): Promise<{ project: string; name: string; version: string }> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const resolved = await resolveRuntimeRef(db, project, input, {
    removed: input.removed,
    defaultVersion: BUILTIN_LATEST_TAG,
  });
  return { project: project.name, name: resolved.name, version: resolved.version! };
}

/** `info`: the version asked for (a full id, prefix, tag, `latest` or `vN`; `latest` when omitted). */
export async function getVersionInfo(
  db: Database,
  input: { user: Actor; project: string } & RuntimeRef,
): Promise<VersionInfo> {
  const { project, runtime, version } = await locate(db, input);
  const [[summary], [detail], images, owners] = await Promise.all([
    summarizeVersions(db, [{ ...version, name: runtime.name }]),
    db
      .select({
        manifest: runtimeVersions.manifest,
        runtimeYaml: runtimeVersions.runtimeYaml,
        lockFiles: runtimeVersions.lockFiles,
        fileCount: sql<number>`jsonb_array_length(${runtimeVersions.files})`.mapWith(Number),
      })
      .from(runtimeVersions)
      .where(eq(runtimeVersions.id, version.id)),
    db
      .select({
        reference: runtimeImages.reference,
        digest: runtimeImages.digest,
        platforms: runtimeImages.platforms,
        createdAt: runtimeImages.createdAt,
      })
      .from(runtimeImages)
      .where(eq(runtimeImages.versionId, version.id))
      .orderBy(desc(runtimeImages.createdAt), runtimeImages.id), // one job's references: in the order it pushed them
    userNames(db, [runtime.ownerId]),
  ]);
  return {
    ...summary!,
    project: { id: String(project.id), name: project.name },
    runtime: {
      id: String(runtime.id),
      name: runtime.name,
      owner: { id: String(runtime.ownerId), name: owners.get(runtime.ownerId) ?? "" },
    },
    manifest: detail!.manifest as Record<string, unknown>,
    runtimeYaml: detail!.runtimeYaml,
    lockFiles: detail!.lockFiles,
    fileCount: detail!.fileCount,
    images,
  };
}

/** The bundle's files with their sizes, in archive order, a page at a time (the console's Files tab). */
export async function listVersionFiles(
  db: Database,
  input: { user: Actor; project: string } & RuntimeRef & Paging,
): Promise<Page<BundleFile> & { version: string }> {
  const { version } = await locate(db, input);
  const { page, size, limit, offset } = pageWindow(input);
  const [row] = await db
    .select({
      total: sql<number>`jsonb_array_length(${runtimeVersions.files})`.mapWith(Number),
      items: sql<BundleFile[]>`coalesce((
        SELECT jsonb_agg(f.value ORDER BY f.ord)
        FROM jsonb_array_elements(${runtimeVersions.files}) WITH ORDINALITY AS f(value, ord)
        WHERE f.ord > ${offset} AND f.ord <= ${offset + limit}
      ), '[]'::jsonb)`,
    })
    .from(runtimeVersions)
    .where(eq(runtimeVersions.id, version.id));
  return { version: version.version, items: row!.items, total: row!.total, page, size };
}

/** `tag URI` without tags: the tags of the version asked for (`latest` when omitted). */
export async function listVersionTags(
  db: Database,
  input: { user: Actor; project: string } & RuntimeRef,
): Promise<{ name: string; version: string; alias: string; latest: boolean; tags: string[] }> {
  const { runtime, version } = await locate(db, input);
  const [summary] = await summarizeVersions(db, [{ ...version, name: runtime.name }]);
  return {
    name: runtime.name,
    version: version.version,
    alias: summary!.alias,
    latest: summary!.latest,
    tags: summary!.tags,
  };
}
