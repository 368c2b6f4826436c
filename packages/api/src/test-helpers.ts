import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@swhub/db/client";
import { pack } from "tar-stream";
import { createDirectoryBlobStore } from "./blobs/directory-store";
import type { BlobStore } from "./blobs/store";
import { createCaller } from "./root";
import type { JobDeps } from "./services/jobs";
import { appendUploadChunk } from "./services/upload-chunks";
import { createUpload, finishUpload } from "./services/uploads";
import type { SessionUser } from "./services/users";
import { createContext } from "./trpc";

let defaultStore: BlobStore | undefined;

/** A blob store in a fresh temporary directory. */
export function createTempBlobStore(): { store: BlobStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "swhub-blobs-"));
  return { store: createDirectoryBlobStore(dir), dir };
}

/**
 * A caller as a client with these request headers would be; `resHeaders` collects what it sets. Without `blobs`,
 * one temporary blob store per test process is used.
 */
export async function callAs(
  db: Database,
  headers: Record<string, string> = {},
  blobs?: BlobStore,
  jobs?: JobDeps,
) {
  const resHeaders = new Headers();
  defaultStore ??= createTempBlobStore().store;
  const caller = createCaller(
    await createContext({
      db,
      blobs: blobs ?? defaultStore,
      headers: new Headers(headers),
      resHeaders,
      jobs,
    }),
  );
  return { caller, resHeaders };
}

/** The `sw_session=...` pair from a Set-Cookie header, ready to send back as a Cookie header. */
export function sessionCookieFrom(resHeaders: Headers): string {
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith("sw_session="));
  if (!cookie) throw new Error("no sw_session cookie was set");
  return cookie.split(";")[0]!;
}

/** A small runtime bundle (.swrt-like tar) whose `_manifest.yaml` names `version`; `manifest` replaces it whole. */
export async function makeBundle(options: {
  version?: string;
  manifest?: string;
  files?: Record<string, string | Uint8Array>;
}): Promise<Buffer> {
  const tar = pack();
  const add = (name: string, body: string | Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      tar.entry({ name, mtime: new Date(315_532_800_000) }, Buffer.from(body), (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  const manifest =
    options.manifest ??
    `version: ${options.version}\ncreated_at: 2026-11-27 18:58:33 UTC\nenvironment:\n  mode: venv\n  python: '3.11'\n  lock:\n    files:\n    - .starwhale/lock/requirements-sw-lock.txt\n`;
  const chunks: Buffer[] = [];
  tar.on("data", (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve) => tar.on("end", () => resolve()));
  await add("_manifest.yaml", manifest);
  await add("runtime.yaml", "name: demo\nmode: venv\n");
  await add("dependencies/.starwhale/lock/requirements-sw-lock.txt", "tinypkg01==1.0.1\n");
  for (const [name, body] of Object.entries(options.files ?? {})) await add(name, body);
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Uploads bytes into a project through the upload services, in one chunk. */
export async function uploadBytes(
  db: Database,
  store: BlobStore,
  user: SessionUser,
  project: string,
  bytes: Uint8Array,
): Promise<string> {
  const digest = digestOf(bytes);
  const created = await createUpload(db, store, { user, project, digest, size: bytes.length });
  if (created.status === "exists") return digest;
  if (bytes.length > 0) {
    await appendUploadChunk(db, store, {
      user,
      project,
      uploadId: created.uploadId,
      range: { start: 0, end: bytes.length - 1 },
      body: (async function* () {
        yield bytes;
      })(),
    });
  }
  await finishUpload(db, store, { user, project, uploadId: created.uploadId });
  return digest;
}
