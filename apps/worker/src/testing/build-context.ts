import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { BlobStore } from "@swhub/api/blobs/store";
import { ingestBlob } from "@swhub/api/services/blob-ingest";
import { getJob } from "@swhub/api/services/jobs";
import type { SessionUser } from "@swhub/api/services/users";
import type { Database } from "@swhub/db/client";
import { projects } from "@swhub/db/schema";
import { buildProject } from "@swhub/runtime/testing/python";
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

/**
 * A build context whose one dependency is a source project with an in-tree build backend that, when pip builds
 * it, writes its pid to `marker` and sleeps: the build is then busy in the install phase for `seconds`.
 */
export async function slowBuildContext(marker: string, seconds: number): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "swhub-slowpkg-"));
  try {
    await buildProject(join(dir, "slowpkg"), { name: "slowpkg", version: "1.0" });
    const files: Record<string, string> = {
      "runtime.yaml":
        'name: demo\nmode: venv\nenvironment:\n  python: "3.11"\ndependencies:\n  - pip: [./slowpkg]\n',
    };
    for (const name of ["pyproject.toml", "slowpkg/__init__.py", "_swhub_backend.py"]) {
      files[`slowpkg/${name}`] = await readFile(join(dir, "slowpkg", name), "utf8");
    }
    files["slowpkg/_swhub_backend.py"] +=
      `\nimport os, time, pathlib\npathlib.Path(${JSON.stringify(marker)}).write_text(str(os.getpid()))\ntime.sleep(${seconds})\n`;
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
