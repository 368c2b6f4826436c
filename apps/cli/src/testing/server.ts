/**
 * A real server for swcli's tests: the API routes (`serveApi`: tRPC, blob protocol, /api/v1) on a free loopback
 * port, with its own Postgres database (cloned from the migrated template) and blob directory, and three users:
 * `admin` (admin), `maria` (maintainer of project `demo`) and `gus` (guest of `demo`). Passwords are the names
 * followed by `-password`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDirectoryBlobStore } from "@swhub/api/blobs/directory-store";
import { serveApi } from "@swhub/api/http";
import { createJobEventBus } from "@swhub/api/job-bus";
import { createEnqueuer, createRedis } from "@swhub/api/queue";
import { createApiToken } from "@swhub/api/services/api-tokens";
import { addMember } from "@swhub/api/services/members";
import { createProject } from "@swhub/api/services/projects";
import { createUser, type SessionUser } from "@swhub/api/services/users";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";

export interface TestServer {
  url: string;
  db: TestDatabase;
  blobDir: string;
  users: { admin: SessionUser; maria: SessionUser; gus: SessionUser };
  /** A fresh API token for a user. */
  tokenFor(user: SessionUser): Promise<string>;
  close(): Promise<void>;
}

export const passwordOf = (name: string) => `${name}-password`;

/** With `jobs`, the server queues jobs on that Redis under that prefix (a worker started by the test runs them). */
export async function startTestServer(
  options: { jobs?: { redisUrl: string; prefix: string } } = {},
): Promise<TestServer> {
  const db = await createTestDatabase();
  const blobDir = await mkdtemp(join(tmpdir(), "swcli-server-blobs-"));
  const redis = options.jobs ? createRedis(options.jobs.redisUrl, "worker") : undefined;
  const jobs =
    options.jobs && redis
      ? {
          enqueuer: createEnqueuer(redis, options.jobs.prefix),
          bus: createJobEventBus({ url: options.jobs.redisUrl, prefix: options.jobs.prefix }),
        }
      : undefined;
  const server = await serveApi({ db: db.db, blobs: createDirectoryBlobStore(blobDir), jobs });
  const make = (name: string, isAdmin = false) =>
    createUser(db.db, { name, password: passwordOf(name), isAdmin });
  const admin = await make("admin", true);
  const maria = await make("maria");
  const gus = await make("gus");
  const { id } = await createProject(db.db, { name: "demo", ownerId: admin.id });
  await addMember(db.db, { user: admin, project: id, userName: "maria", role: "maintainer" });
  await addMember(db.db, { user: admin, project: id, userName: "gus", role: "guest" });
  return {
    url: server.url,
    db,
    blobDir,
    users: { admin, maria, gus },
    async tokenFor(user) {
      return (await createApiToken(db.db, { userId: user.id, name: "test" })).token;
    },
    async close() {
      await server.close();
      await jobs?.enqueuer.close();
      await jobs?.bus.close();
      redis?.disconnect();
      await db.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
