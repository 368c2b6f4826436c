import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { BlobStore } from "@swhub/api/blobs/store";
import { ingestBlob } from "@swhub/api/services/blob-ingest";
import { getJob } from "@swhub/api/services/jobs";
import type { SessionUser } from "@swhub/api/services/users";
import type { Database } from "@swhub/db/client";
import { projects } from "@swhub/db/schema";
import type { JobState } from "@swhub/shared/jobs";
import { eq } from "drizzle-orm";
import { expect } from "vitest";

const run = promisify(execFile);

/**
 * Packs files (path → text or bytes) into a tar with GNU tar, as a client would, and stores it as a blob of the
 * project. Returns its digest.
 */
export async function uploadContext(
  db: Database,
  store: BlobStore,
  project: string,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "swhub-context-"));
  try {
    for (const [path, body] of Object.entries(files)) {
      await mkdir(dirname(join(dir, "src", path)), { recursive: true });
      await writeFile(join(dir, "src", path), body);
    }
    await run("tar", ["-cf", join(dir, "context.tar"), "-C", join(dir, "src"), "."]);
    const [row] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, project));
    const { digest } = await ingestBlob(db, store, {
      projectId: row!.id,
      source: createReadStream(join(dir, "context.tar")),
    });
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls the job until it is in one of `states`, then returns it as a client sees it. */
export async function waitForJob(
  db: Database,
  user: SessionUser,
  job: string,
  states: JobState[],
  timeout = 90_000,
) {
  await expect
    .poll(async () => (await getJob(db, { user, job })).state, { timeout, interval: 100 })
    .toSatisfy((state: JobState) => states.includes(state));
  return getJob(db, { user, job });
}
