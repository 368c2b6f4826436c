import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Api } from "./seed";

const run = promisify(execFile);
const base = () => process.env.SW_E2E_BASE_URL!;

/**
 * Submits a server build through the API as swcli does: a tar of the files (GNU tar) uploaded with the blob
 * protocol, then `job.submitBuild`. Returns the job's id.
 */
export async function seedBuild(
  api: Api,
  project: string,
  runtimeName: string,
  files: Record<string, string>,
  requestId = `seed-${Math.random().toString(36).slice(2)}`,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "swhub-e2e-context-"));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, "src", path)), { recursive: true });
      await writeFile(join(dir, "src", path), text);
    }
    await run("tar", ["-cf", join(dir, "context.tar"), "-C", join(dir, "src"), "."]);
    const bytes = await readFile(join(dir, "context.tar"));
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const headers = { cookie: `sw_session=${api.session}` };
    const p = encodeURIComponent(project);
    const created = await fetch(`${base()}/api/projects/${p}/uploads`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ digest, size: bytes.length }),
    });
    const upload = (await created.json()) as { status: string; uploadId?: string };
    if (upload.status === "uploading") {
      const id = encodeURIComponent(upload.uploadId!);
      const chunk = await fetch(`${base()}/api/projects/${p}/uploads/${id}`, {
        method: "PATCH",
        headers: { ...headers, "content-range": `bytes 0-${bytes.length - 1}/${bytes.length}` },
        body: bytes,
      });
      if (!chunk.ok) throw new Error(`upload chunk: HTTP ${chunk.status} ${await chunk.text()}`);
      const done = await fetch(`${base()}/api/projects/${p}/uploads/${id}/finish`, {
        method: "POST",
        headers,
      });
      if (!done.ok) throw new Error(`finish upload: HTTP ${done.status} ${await done.text()}`);
    }
    const { job } = await api.mutate<{ job: { id: string } }>("job.submitBuild", {
      project,
      runtimeName,
      source: { kind: "yaml", contextDigest: digest, yamlPath: "runtime.yaml" },
      requestId,
    });
    return job.id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const runtimeYaml = (name: string, deps: string) =>
  `name: ${name}\nmode: venv\nenvironment:\n  python: "3.11"\ndependencies:\n${deps}`;
