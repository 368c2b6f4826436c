import { Readable } from "node:stream";
import { conflict, invalidInput } from "@swhub/shared/errors";
import { assertRuntimeName } from "@swhub/shared/names";
import { looksLikeVersionId } from "@swhub/shared/version-id";
import { requireProjectRole } from "../../services/access";
import { ingestBlob } from "../../services/blob-ingest";
import { openProjectBlob } from "../../services/blobs";
import { commitVersion } from "../../services/runtime-commit";
import { locateRuntimeVersion, versionState } from "../../services/runtime-locate";
import { getRuntimeRow, getVersionRow } from "../../services/runtime-resolver";
import type { CompatHandler } from "../context";
import { success } from "../envelope";
import { receiveMultipart } from "../multipart";

/** The client sends `force` as `"1"` or `"0"`. */
function isForced(value: string | undefined): boolean {
  return value === "1" || value?.toLowerCase() === "true";
}

/**
 * `POST /api/v1/project/{p}/runtime/{name}/version/{version}/file`, multipart with the fields `runtime`, `project`,
 * `force` and the bundle in `file` (spec `starwhale-api.md` §3.6). The path names the runtime and the version (the
 * `runtime` field carries the source's name, and the path wins); the project in the path wins over the `project`
 * field too. The bundle streams into the blob store, is read for its `_manifest.yaml` (whose version must be the
 * path's), and becomes a version; the runtime is created on its first version. A version that exists is a conflict
 * unless `force` is `1`, refused before any byte is stored. Answers the new version's id.
 */
export const uploadBundleRoute: CompatHandler = async (r, p) => {
  const { db, blobs, bodyIdleMs } = r.deps;
  const { project } = await requireProjectRole(db, r.user, p.project!, "maintainer");
  const name = p.runtime!;
  const version = p.version!;
  assertRuntimeName(name);
  if (!looksLikeVersionId(version) || version.length > 128) {
    throw invalidInput(
      `"${version}" is not a valid version id`,
      "version ids are lowercase letters a-z and digits 2-7, as swcli and Starwhale make them",
    );
  }
  const { file } = await receiveMultipart(r.req, {
    fileField: "file",
    idleMs: bodyIdleMs,
    async onFile(fields, source) {
      const force = isForced(fields.force);
      const state = force ? undefined : await versionState(db, { projectId: project.id, name, version });
      if (state) {
        throw conflict(
          `Version ${version} of runtime ${name} already exists${state === "removed" ? " (removed)" : ""}`,
          state === "removed" ? "recover it, or copy with -f to replace it" : "copy with -f to replace it",
        );
      }
      return { force, blob: await ingestBlob(db, blobs, { projectId: project.id, source }) };
    },
  });
  if (!file)
    throw invalidInput("The upload has no file part named file", "send the bundle in a part named file");
  const committed = await commitVersion(db, blobs, {
    user: r.user,
    project: String(project.id),
    name,
    version,
    bundleDigest: file.blob.digest,
    force: file.force,
  });
  const runtime = await getRuntimeRow(db, project.id, name);
  const row = await getVersionRow(db, runtime.id, committed.version);
  return success(String(row.id));
};

/**
 * `GET /api/v1/project/{p}/runtime/{rt}/version/{v}/file`: the bundle's bytes, streamed from the blob store. The
 * `runtime` and `project` query parameters the client adds repeat the path and are not needed.
 */
export const downloadBundleRoute: CompatHandler = async (r, p) => {
  const { db, blobs } = r.deps;
  const located = await locateRuntimeVersion(db, {
    user: r.user,
    project: p.project!,
    runtime: p.runtime!,
    version: p.version!,
  });
  const blob = await openProjectBlob(db, blobs, {
    user: r.user,
    project: String(located.project.id),
    digest: located.version.bundleDigest,
  });
  const headers = {
    "content-type": "application/octet-stream",
    "content-length": String(blob.size),
    "content-disposition": `attachment; filename="${located.version.version}.swrt"`,
    "cache-control": "no-store",
  };
  if (blob.size === 0) return new Response(null, { status: 200, headers });
  const stream = await blob.read();
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status: 200, headers });
};
