import { readdir } from "node:fs/promises";
import type { ClientRequest } from "node:http";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { z } from "zod";
import type { BlobStore } from "../blobs/store";
import { serveApi } from "../http/serve";
import { createProject } from "../services/projects";
import { createUser, type SessionUser } from "../services/users";
import { createTempBlobStore } from "../test-helpers";
import { makeBoundary, uploadBody, type WireResponse, wireRequest } from "./wire-client";

/*
 * For the compatibility tests: a server on a free port with its own database and blob store, the admin
 * `starwhale` (password `abcd1234`, as in the recording), the private project `demo`, and the admin's token from a
 * password login, exactly as the client stores it.
 */
export interface CompatTestEnv {
  t: TestDatabase;
  store: BlobStore;
  blobDir: string;
  url: string;
  admin: SessionUser;
  /** The `Authorization` value the client stored at login (`Bearer swh_…`). */
  token: string;
  /** The id of project `demo`. */
  pid: string;
  close(): Promise<void>;
}

export async function startCompatEnv(options: { bodyIdleMs?: number } = {}): Promise<CompatTestEnv> {
  const t = await createTestDatabase();
  const { store, dir } = createTempBlobStore();
  const server = await serveApi({ db: t.db, blobs: store, bodyIdleMs: options.bodyIdleMs });
  const admin = await createUser(t.db, { name: "starwhale", password: "abcd1234", isAdmin: true });
  const { id: pid } = await createProject(t.db, { name: "demo", ownerId: admin.id });
  const token = await loginAs(server.url, "starwhale", "abcd1234");
  return {
    t,
    store,
    blobDir: dir,
    url: server.url,
    admin,
    token,
    pid,
    async close() {
      await server.close();
      await t.drop();
    },
  };
}

/** `swcli instance login --username --password`: the stored token. */
export async function loginAs(url: string, name: string, password: string): Promise<string> {
  const res = await wireRequest(url, "/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `userName=${encodeURIComponent(name)}&userPwd=${encodeURIComponent(password)}`,
  });
  const token = res.headers.authorization;
  if (res.status !== 200 || typeof token !== "string") throw new Error(`login failed: ${res.body}`);
  return token;
}

/** The upload of spec §3.6 into project `pid`: `runtime` names the path, `field` the `runtime` form field's name. */
export function uploadVersion(
  env: Pick<CompatTestEnv, "url" | "token" | "pid">,
  input: {
    runtime: string;
    field?: string;
    version: string;
    bundle: Buffer;
    force?: "0" | "1";
    token?: string;
  },
): Promise<WireResponse> {
  const boundary = makeBoundary();
  const path = `/api/v1/project/${env.pid}/runtime/${input.runtime}/version/${input.version}/file`;
  return wireRequest(env.url, path, {
    method: "POST",
    headers: {
      authorization: input.token ?? env.token,
      "content-type": `multipart/form-data; boundary=${boundary}`,
    },
    body: uploadBody({
      boundary,
      runtime: `${input.field ?? input.runtime}:${input.version}`,
      project: env.pid,
      force: input.force ?? "0",
      version: input.version,
      bundle: input.bundle,
    }),
  });
}

/** A successful answer, as every family of the client takes it. */
export const okEnvelope = z.object({ code: z.literal("success"), message: z.string(), data: z.unknown() });

/** An error answer: JSON, a code that is not `success`, and a message for the client to print. */
export const errorEnvelope = z.object({
  code: z.string().refine((c) => c !== "success"),
  message: z.string().min(1),
  data: z.null(),
});

/** The files under a directory (recursively), sorted; none when it doesn't exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The answer to a request written by hand (`node:http`), for bodies sent in parts. */
export function responseOf(req: ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.on("data", (part: Buffer) => {
        body += part.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}
