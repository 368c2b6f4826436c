import type { Database } from "@swhub/db/client";
import {
  type BundleFile,
  blobs,
  projectBlobs,
  runtimes,
  runtimeTags,
  runtimeVersions,
} from "@swhub/db/schema";
import { conflict, invalidInput, notFound } from "@swhub/shared/errors";
import { assertRuntimeName, autoTag, userTagProblem } from "@swhub/shared/names";
import { parseWith, runtimeManifestSchema } from "@swhub/shared/schemas";
import { looksLikeVersionId } from "@swhub/shared/version-id";
import { and, eq, sql } from "drizzle-orm";
import { parse as parseYaml } from "yaml";
import { readBundle } from "../blobs/bundle";
import type { BlobStore } from "../blobs/store";
import { isForeignKeyViolation, isUniqueViolation } from "../errors";
import { type Actor, requireProjectRole } from "./access";
import { isVersion } from "./runtime-rows";
import { presentBlobs } from "./uploads";

/** What a version is made of, whichever way it arrives (an uploaded bundle, or a copy of another version). */
export interface VersionContent {
  version: string;
  manifest: Record<string, unknown>;
  bundleDigest: string;
  bundleSize: number;
  files: BundleFile[];
  runtimeYaml: string | null;
  lockFiles: Record<string, string>;
}

export interface CommitResult {
  project: string;
  name: string;
  version: string;
  /** `vN`. */
  alias: string;
  /** The user tags the version has now. */
  tags: string[];
  /** Tags not applied because another version holds them (move them with `force`). */
  skippedTags: string[];
  /** False when an existing version was replaced (`force`). */
  created: boolean;
}

function checkVersionId(version: string): void {
  if (!looksLikeVersionId(version) || version.length > 128) {
    throw invalidInput(
      `"${version}" is not a valid version id`,
      "version ids are lowercase letters a-z and digits 2-7, as swcli and Starwhale make them",
    );
  }
}

/** Parses `_manifest.yaml` with the shared schema; one clear error when it doesn't parse. */
export function parseManifest(text: string): { doc: Record<string, unknown>; version: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw invalidInput(
      `The bundle's _manifest.yaml is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw invalidInput("The bundle's _manifest.yaml is not a mapping");
  }
  const manifest = parseWith(runtimeManifestSchema, doc, "The bundle's _manifest.yaml");
  return { doc: doc as Record<string, unknown>, version: manifest.version };
}

/**
 * Records a version in a runtime, creating the runtime on its first version. The runtime row is locked, so
 * concurrent commits and tag moves on one runtime take turns: each new version gets the next `vN` (never reused),
 * and each tag names one version. An existing version is replaced only with `force`, keeping its `vN`.
 */
export async function recordVersion(
  db: Database,
  input: {
    projectId: number;
    projectName: string;
    name: string;
    userId: number;
    content: VersionContent;
    tags: string[];
    force: boolean;
  },
): Promise<CommitResult> {
  const { content } = input;
  try {
    return await db.transaction(async (tx) => {
      await tx
        .insert(runtimes)
        .values({ projectId: input.projectId, name: input.name, ownerId: input.userId })
        .onConflictDoNothing();
      const [runtime] = await tx
        .select()
        .from(runtimes)
        .where(and(eq(runtimes.projectId, input.projectId), eq(runtimes.name, input.name)))
        .for("update");
      const [existing] = await tx
        .select({
          id: runtimeVersions.id,
          aliasSeq: runtimeVersions.aliasSeq,
          removedAt: runtimeVersions.removedAt,
        })
        .from(runtimeVersions)
        .where(isVersion(runtime!.id, content.version));
      if (existing && !input.force) {
        throw conflict(
          `Version ${content.version} of runtime ${input.name} already exists${existing.removedAt ? " (removed)" : ""}`,
          existing.removedAt ? "recover it, or use force to replace it" : "use force to replace it",
        );
      }
      const values = {
        manifest: content.manifest,
        bundleDigest: content.bundleDigest,
        bundleSize: content.bundleSize,
        files: content.files,
        runtimeYaml: content.runtimeYaml,
        lockFiles: content.lockFiles,
        createdBy: input.userId,
        createdAt: sql`now()`,
        removedAt: null,
      };
      let versionId: number;
      let aliasSeq: number;
      if (existing) {
        await tx.update(runtimeVersions).set(values).where(eq(runtimeVersions.id, existing.id));
        versionId = existing.id;
        aliasSeq = existing.aliasSeq;
      } else {
        aliasSeq = runtime!.nextAliasSeq;
        const [row] = await tx
          .insert(runtimeVersions)
          .values({ ...values, runtimeId: runtime!.id, version: content.version, aliasSeq })
          .returning({ id: runtimeVersions.id });
        versionId = row!.id;
      }
      await tx
        .update(runtimes)
        .set({ nextAliasSeq: Math.max(runtime!.nextAliasSeq, aliasSeq + 1), removedAt: null })
        .where(eq(runtimes.id, runtime!.id));
      await tx
        .insert(projectBlobs)
        .values({ projectId: input.projectId, digest: content.bundleDigest })
        .onConflictDoNothing();

      const skippedTags: string[] = [];
      for (const tag of new Set(input.tags)) {
        const [holder] = await tx
          .select({ versionId: runtimeTags.versionId, removedAt: runtimeVersions.removedAt })
          .from(runtimeTags)
          .innerJoin(runtimeVersions, eq(runtimeVersions.id, runtimeTags.versionId))
          .where(and(eq(runtimeTags.runtimeId, runtime!.id), eq(runtimeTags.tag, tag)));
        if (holder && holder.versionId !== versionId && holder.removedAt === null && !input.force) {
          skippedTags.push(tag);
          continue;
        }
        await tx
          .insert(runtimeTags)
          .values({ runtimeId: runtime!.id, versionId, tag })
          .onConflictDoUpdate({ target: [runtimeTags.runtimeId, runtimeTags.tag], set: { versionId } });
      }
      const tags = await tx
        .select({ tag: runtimeTags.tag })
        .from(runtimeTags)
        .where(eq(runtimeTags.versionId, versionId))
        .orderBy(runtimeTags.tag);
      return {
        project: input.projectName,
        name: input.name,
        version: content.version,
        alias: autoTag(aliasSeq),
        tags: tags.map((t) => t.tag),
        skippedTags,
        created: !existing,
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict(`Runtime ${input.name} changed at the same time; try again`);
    }
    if (isForeignKeyViolation(error)) {
      throw notFound(`Blob ${content.bundleDigest} is gone from the server`, "upload the bundle again");
    }
    throw error;
  }
}

/**
 * Commits a version from a bundle blob the project already has (an upload into it finished). The bundle is read
 * for its `_manifest.yaml`, `runtime.yaml`, lock files and file list; the version id is the manifest's, and a
 * different one given by the client is refused. Maintainers and up.
 */
export async function commitVersion(
  db: Database,
  store: BlobStore,
  input: {
    user: Actor;
    project: string;
    name: string;
    version?: string;
    bundleDigest: string;
    tags?: string[];
    force?: boolean;
  },
): Promise<CommitResult> {
  const { project } = await requireProjectRole(db, input.user, input.project, "maintainer");
  assertRuntimeName(input.name);
  const badTag = (input.tags ?? []).map(userTagProblem).find(Boolean);
  if (badTag) throw invalidInput(badTag);
  if (input.version !== undefined) checkVersionId(input.version);

  const present = await presentBlobs(db, project.id, [input.bundleDigest]);
  const [blob] = present.size
    ? await db.select().from(blobs).where(eq(blobs.digest, input.bundleDigest))
    : [];
  if (!blob) {
    throw notFound(
      `Blob ${input.bundleDigest} was not uploaded to project "${project.name}"`,
      "upload the bundle first, then commit",
    );
  }
  const contents = await readBundle((range) => store.read(blob.digest, range), blob.size);
  const manifest = parseManifest(contents.manifest);
  checkVersionId(manifest.version);
  if (input.version !== undefined && input.version !== manifest.version) {
    throw invalidInput(
      `The bundle's _manifest.yaml is for version ${manifest.version}, not ${input.version}`,
      "copy the bundle under its own version id",
    );
  }
  return recordVersion(db, {
    projectId: project.id,
    projectName: project.name,
    name: input.name,
    userId: Number(input.user!.id),
    content: {
      version: manifest.version,
      manifest: manifest.doc,
      bundleDigest: blob.digest,
      bundleSize: blob.size,
      files: contents.files,
      runtimeYaml: contents.runtimeYaml ?? null,
      lockFiles: contents.lockFiles,
    },
    tags: input.tags ?? [],
    force: input.force ?? false,
  });
}
