import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedPglite, servePglite } from "./serve";

// Many postgres.js pools share the one PGlite session behind the socket. Each task below knows what its
// query must return, so a reply that belongs to another connection's query shows up as a mismatch.
let dir: string;
let served: ServedPglite;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "swhub-pglite-stress-"));
  served = await servePglite({ dataDir: join(dir, "pglite") });
  const sql = postgres(served.url, { max: 1, onnotice: () => {} });
  await sql`CREATE TABLE stress (tag text PRIMARY KEY, n int NOT NULL)`;
  await sql.end();
});
afterAll(async () => {
  await served?.stop();
  await rm(dir, { recursive: true, force: true });
});

type Sql = postgres.Sql;

/** One task: runs against a pool and returns what went wrong, or nothing. */
type Task = (sql: Sql, tag: string, i: number) => Promise<string | undefined>;

const same = (what: string, got: unknown, want: unknown) =>
  JSON.stringify(got) === JSON.stringify(want)
    ? undefined
    : `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;

async function rejects(what: string, run: () => Promise<unknown>, pattern: RegExp) {
  try {
    const rows = await run();
    return `${what}: resolved with ${JSON.stringify(rows)} instead of failing`;
  } catch (error) {
    const message = (error as Error).message;
    return pattern.test(message) ? undefined : `${what}: failed with "${message}", want ${pattern}`;
  }
}

const tasks: Task[] = [
  // Prepared statements with parameters: the common drizzle shape.
  async (sql, tag, i) =>
    same("row", [...(await sql`SELECT ${i}::int AS id, ${tag}::text AS tag`)], [{ id: i, tag }]),
  // Several rows, another shape.
  async (sql, tag, i) => {
    const k = (i % 5) + 1;
    const rows = await sql`SELECT g AS n, ${tag}::text AS tag FROM generate_series(1, ${k}::int) g`;
    return same(
      "rows",
      [...rows],
      Array.from({ length: k }, (_, j) => ({ n: j + 1, tag })),
    );
  },
  // One column, no parameters besides the text.
  async (sql, tag) => same("one column", [...(await sql`SELECT ${tag}::text AS only`)], [{ only: tag }]),
  // The simple protocol.
  async (sql, tag) =>
    same("simple", [...(await sql.unsafe(`SELECT '${tag}' AS simple`).simple())], [{ simple: tag }]),
  // Errors in the middle of a pipeline: at Parse, and at Execute.
  async (sql, tag) => rejects("syntax error", () => sql.unsafe(`SELEC '${tag}'`), /syntax error/),
  async (sql, _tag, i) =>
    rejects("division by zero", () => sql`SELECT ${i}::int / (${i}::int - ${i}::int)`, /division by zero/),
  // A transaction interleaved with everything else: its rows, seen from inside, and committed.
  async (sql, tag, i) => {
    const seen = await sql.begin(async (tx) => {
      await tx`INSERT INTO stress (tag, n) VALUES (${tag}, ${i})`;
      await tx`UPDATE stress SET n = n + 1 WHERE tag = ${tag}`;
      return [...(await tx`SELECT tag, n FROM stress WHERE tag = ${tag}`)];
    });
    return same("transaction", seen, [{ tag, n: i + 1 }]);
  },
  // A transaction that fails half-way: the error reaches its caller, and its insert is rolled back.
  async (sql, tag, i) => {
    const failed = await rejects(
      "failing transaction",
      () =>
        sql.begin(async (tx) => {
          await tx`INSERT INTO stress (tag, n) VALUES (${`${tag}-gone`}, ${i})`;
          await tx`SELECT ${i}::int / 0`;
        }),
      /division by zero/,
    );
    return (
      failed ?? same("rolled back", [...(await sql`SELECT tag FROM stress WHERE tag = ${`${tag}-gone`}`)], [])
    );
  },
];

async function hammer(options: { pools: number; connections: number; perPool: number; prepare: boolean }) {
  const pools = Array.from({ length: options.pools }, () =>
    postgres(served.url, { max: options.connections, prepare: options.prepare, onnotice: () => {} }),
  );
  try {
    const runs = pools.flatMap((sql, p) =>
      Array.from({ length: options.perPool }, (_, i) => {
        const tag = `${options.prepare ? "p" : "u"}${p}-${i}`;
        return tasks[i % tasks.length]!(sql, tag, p * 1000 + i).catch(
          (error: Error) => `${tag}: ${error.message}`,
        );
      }),
    );
    return (await Promise.all(runs)).filter(Boolean);
  } finally {
    await Promise.all(pools.map((sql) => sql.end({ timeout: 5 })));
  }
}

/** A raw client that speaks just enough of the protocol to leave the session in a state, then vanish. */
async function rawClient(messages: Buffer[]) {
  const port = Number(new URL(served.url).port);
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const startup = Buffer.concat([Buffer.alloc(8), Buffer.from("user\0postgres\0database\0postgres\0\0")]);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4);
  let received = Buffer.alloc(0);
  socket.on("data", (data) => {
    received = Buffer.concat([received, data]);
  });
  socket.write(Buffer.concat([startup, ...messages]));
  // Wait until the answers to everything sent have arrived (the last ReadyForQuery or the Flush's answer).
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { received: () => received, destroy: () => socket.destroy() };
}

function frontend(type: string, body: string | Buffer): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const head = Buffer.alloc(5);
  head.write(type);
  head.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}

describe("PGlite served to many connections", () => {
  it("answers every query with its own rows, with prepared statements and pipelining", async () => {
    expect(await hammer({ pools: 6, connections: 3, perPool: 160, prepare: true })).toEqual([]);
  });

  it("answers every query with its own rows with unnamed statements", async () => {
    expect(await hammer({ pools: 6, connections: 3, perPool: 160, prepare: false })).toEqual([]);
  });

  it("rolls back the open transaction of a client that disconnects, and serves the others meanwhile", async () => {
    const sql = postgres(served.url, { max: 2, onnotice: () => {} });
    try {
      const client = await rawClient([
        frontend("Q", "BEGIN; INSERT INTO stress (tag, n) VALUES ('abandoned', 1);\0"),
      ]);
      expect(client.received().includes(Buffer.from("Z\0\0\0\x05T", "latin1"))).toBe(true); // in a transaction
      // The open transaction holds the session; a query from elsewhere waits until the client goes away.
      const waiting = sql`SELECT count(*)::int AS n FROM stress WHERE tag = 'abandoned'`;
      client.destroy();
      expect([...(await waiting)]).toEqual([{ n: 0 }]);
    } finally {
      await sql.end();
    }
  });

  it("frees the session when a client disconnects in the middle of an extended-protocol sequence", async () => {
    const parse = frontend("P", Buffer.from("half\0SELECT 1\0\0\0"));
    const client = await rawClient([parse, frontend("H", "")]);
    client.destroy();
    // Unnamed statements only, so that any named one left is a leak.
    const sql = postgres(served.url, { max: 1, prepare: false, fetch_types: false, onnotice: () => {} });
    try {
      expect([...(await sql`SELECT ${"after"}::text AS v`)]).toEqual([{ v: "after" }]);
      // The statement it named went with it; so did every pool's, once the pools closed.
      expect([...(await sql.unsafe("SELECT name FROM pg_prepared_statements").simple())]).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});
