import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "./client";
import { migrate } from "./migrate";
import { users } from "./schema";
import { listConstraints, listTables } from "./schema-inspection";
import { type ServedPglite, servePglite } from "./serve";
import { createTestDatabase } from "./testing";

// One PGlite for the whole file: creating one costs seconds of CPU (initdb in wasm).
let dir: string;
let served: ServedPglite | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "swhub-pglite-"));
  served = await servePglite({ dataDir: join(dir, "pglite") });
  await migrate(served.db);
});
afterAll(async () => {
  await served?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("PGlite", () => {
  it("gets the same tables and constraints from the migrations as Postgres 15", async () => {
    const pg = await createTestDatabase();
    try {
      expect(await listTables(served!.db)).toEqual(await listTables(pg.db));
      expect(await listConstraints(served!.db)).toEqual(await listConstraints(pg.db));
    } finally {
      await pg.drop();
    }
  });

  it("serves other clients over the Postgres protocol, keeping each transaction together", async () => {
    const a = postgres(served!.url, { max: 2, onnotice: () => {} });
    const b = postgres(served!.url, { max: 2, onnotice: () => {} });
    try {
      await Promise.all([
        a.begin(async (tx) => {
          await tx`INSERT INTO users (name, password_hash) VALUES ('from-a', 'x')`;
          await tx`INSERT INTO users (name, password_hash) VALUES ('from-a-2', 'x')`;
        }),
        b`INSERT INTO users (name, password_hash) VALUES ('from-b', 'x')`,
      ]);
      const rows = await b<{ name: string }[]>`SELECT name FROM users ORDER BY name`;
      expect(rows.map((r) => r.name)).toEqual(["from-a", "from-a-2", "from-b"]);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it("rolls back a failed transaction from one client without touching the data", async () => {
    const a = postgres(served!.url, { max: 1, onnotice: () => {} });
    try {
      await expect(
        a.begin(async (tx) => {
          await tx`INSERT INTO users (name, password_hash) VALUES ('ghost', 'x')`;
          await tx`INSERT INTO users (name, password_hash) VALUES ('from-b', 'x')`;
        }),
      ).rejects.toThrow(/duplicate key/);
      const [row] = await a<{ n: number }[]>`SELECT count(*)::int AS n FROM users WHERE name = 'ghost'`;
      expect(row!.n).toBe(0);
    } finally {
      await a.end();
    }
  });

  it("keeps the data when the directory is opened again, and migrating again changes nothing", async () => {
    await served!.stop();
    served = undefined;
    const reopened = await createDb({ dataDir: join(dir, "pglite") });
    try {
      await migrate(reopened);
      const names = await reopened.select({ name: users.name }).from(users).orderBy(users.name);
      expect(names.map((n) => n.name)).toEqual(["from-a", "from-a-2", "from-b"]);
    } finally {
      await reopened.close();
    }
  });
});
