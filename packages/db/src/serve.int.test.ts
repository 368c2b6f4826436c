import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate } from "./migrate";
import { type ServedPglite, servePglite } from "./serve";

let dir: string;
let served: ServedPglite;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "swhub-serve-"));
  served = await servePglite({ dataDir: join(dir, "pglite") });
  await migrate(served.db);
});
afterAll(async () => {
  await served?.stop();
  await rm(dir, { recursive: true, force: true });
});

it("lets other clients use the PGlite database over the Postgres protocol, concurrently", async () => {
  const a = postgres(served.url, { max: 2, onnotice: () => {} });
  const b = postgres(served.url, { max: 2, onnotice: () => {} });
  try {
    // A transaction on one connection is not interleaved with statements from another.
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

it("rolls back a failed transaction without affecting other clients", async () => {
  const a = postgres(served.url, { max: 1, onnotice: () => {} });
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
