import type { Database } from "@swhub/db/client";
import { runtimeImages, runtimes, runtimeVersions } from "@swhub/db/schema";
import { notFound } from "@swhub/shared/errors";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { type Actor, getProjectAccess } from "./access";
import { databaseResolver, getRuntimeRow, getVersionRow, resolveRuntimeRef } from "./runtime-resolver";
import { versionColumns } from "./runtime-rows";

/*
 * Lookups by the references Starwhale's server API takes besides ours: numeric runtime and version ids, and tags
 * alone (no prefixes).
 */

const numericId = /^\d{1,15}$/;

type RuntimeRow = Awaited<ReturnType<typeof getRuntimeRow>>;
type VersionRow = Awaited<ReturnType<typeof getVersionRow>>;

export interface LocatedVersion {
  project: { id: number; name: string };
  runtime: RuntimeRow;
  version: VersionRow;
}

/**
 * A runtime's row by name or numeric id (runtime names never start with a digit), removed or not, in a project the
 * caller can read.
 */
export async function findRuntime(
  db: Database,
  input: { user: Actor; project: string; runtime: string },
): Promise<{ project: { id: number; name: string }; runtime: RuntimeRow }> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  if (!numericId.test(input.runtime)) {
    return { project, runtime: await getRuntimeRow(db, project.id, input.runtime) };
  }
  const [runtime] = await db
    .select()
    .from(runtimes)
    .where(and(eq(runtimes.projectId, project.id), eq(runtimes.id, Number(input.runtime))));
  if (!runtime) throw notFound(`No runtime with id ${input.runtime} in project "${project.name}"`);
  return { project, runtime };
}

/**
 * The version (not removed) a reference names, in a project the caller can read: a numeric version id, `latest`,
 * `vN`, a tag, a full version name or a unique prefix of 4+ characters, tried in that order. No reference (or an
 * empty one) means `latest`.
 */
export async function locateRuntimeVersion(
  db: Database,
  input: { user: Actor; project: string; runtime: string; version?: string },
): Promise<LocatedVersion> {
  const { project, runtime } = await findRuntime(db, input);
  const ref = input.version?.trim() || undefined;
  if (ref && numericId.test(ref)) {
    const [version] = await db
      .select(versionColumns)
      .from(runtimeVersions)
      .where(
        and(
          eq(runtimeVersions.runtimeId, runtime.id),
          eq(runtimeVersions.id, Number(ref)),
          isNull(runtimeVersions.removedAt),
        ),
      );
    if (version) return { project, runtime, version };
  }
  const resolved = await resolveRuntimeRef(db, project, { name: runtime.name, version: ref });
  return { project, runtime, version: await getVersionRow(db, runtime.id, resolved.version!) };
}

/** The version a tag names (`latest`, `vN` or a user tag, never a prefix), or `not_found`. */
export async function findTaggedVersion(
  db: Database,
  input: { user: Actor; project: string; runtime: string; tag: string },
): Promise<LocatedVersion> {
  const { project, runtime } = await findRuntime(db, input);
  const version = await databaseResolver(db, project.id).tagged!(project.name, runtime.name, input.tag);
  if (!version) throw notFound(`Runtime ${runtime.name} has no tag "${input.tag}"`);
  return { project, runtime, version: await getVersionRow(db, runtime.id, version) };
}

/** What Starwhale shows of a version besides our summaries. */
export interface VersionDetails {
  runtimeId: string;
  creatorId: string;
  /** The image the runtime runs in, from its manifest (may be empty). */
  image: string;
  /** The newest OCI image built from the version, if any. */
  builtImage?: string;
}

/**
 * The image a bundle's manifest names: its custom run image, else the built-in one, else the deprecated
 * `base_image` (Starwhale's server derives it the same way).
 */
export function manifestImage(manifest: {
  docker?: { custom_run_image?: unknown; builtin_run_image?: { fullname?: unknown } | null } | null;
  base_image?: unknown;
}): string {
  const candidates = [
    manifest.docker?.custom_run_image,
    manifest.docker?.builtin_run_image?.fullname,
    manifest.base_image,
  ];
  const found = candidates.find((c) => typeof c === "string" && c !== "");
  return (found as string | undefined) ?? "";
}

/** Details of versions by id (any runtimes), reading only the small parts of their manifests. */
export async function describeVersions(
  db: Database,
  versionIds: number[],
): Promise<Map<string, VersionDetails>> {
  if (versionIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: runtimeVersions.id,
      runtimeId: runtimeVersions.runtimeId,
      createdBy: runtimeVersions.createdBy,
      docker: sql<Parameters<typeof manifestImage>[0]["docker"]>`${runtimeVersions.manifest}->'docker'`,
      baseImage: sql<unknown>`${runtimeVersions.manifest}->'base_image'`,
      builtImage: sql<string | null>`(SELECT ${runtimeImages.reference} FROM ${runtimeImages}
        WHERE ${runtimeImages.versionId} = ${runtimeVersions.id}
        ORDER BY ${desc(runtimeImages.createdAt)} LIMIT 1)`,
    })
    .from(runtimeVersions)
    .where(inArray(runtimeVersions.id, versionIds));
  return new Map(
    rows.map((r) => [
      String(r.id),
      {
        runtimeId: String(r.runtimeId),
        creatorId: String(r.createdBy),
        image: manifestImage({ docker: r.docker, base_image: r.baseImage }),
        ...(r.builtImage ? { builtImage: r.builtImage } : {}),
      },
    ]),
  );
}

/** Whether a runtime of a project has this version, and whether it is removed. No access check: callers do it. */
export async function versionState(
  db: Database,
  input: { projectId: number; name: string; version: string },
): Promise<"live" | "removed" | undefined> {
  const [row] = await db
    .select({ removedAt: runtimeVersions.removedAt })
    .from(runtimeVersions)
    .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
    .where(
      and(
        eq(runtimes.projectId, input.projectId),
        eq(runtimes.name, input.name),
        eq(runtimeVersions.version, input.version),
      ),
    );
  if (!row) return undefined;
  return row.removedAt ? "removed" : "live";
}
