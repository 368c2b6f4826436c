import { randomBytes } from "node:crypto";
import { blobs, jobs as jobRows, projectBlobs } from "@swhub/db/schema";
import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import type { JobEvent, JobEventInput } from "@swhub/shared/jobs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveApi } from "../http/serve";
import { createJobEventBus } from "../job-bus";
import { createEnqueuer, createRedis } from "../queue";
import { collectGarbage } from "../services/blobs";
import { appendJobEvents } from "../services/job-events";
import type { JobDeps } from "../services/jobs";
import { addMember } from "../services/members";
import { createProject } from "../services/projects";
import { createSession } from "../services/sessions";
import { createUser, type SessionUser } from "../services/users";
import { callAs, createTempBlobStore, uploadBytes } from "../test-helpers";

// Real Postgres and Redis; no worker runs here: the test itself reports events as a worker would.
const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `swhub-test-${randomBytes(4).toString("hex")}`;
const { store } = createTempBlobStore();
let t: TestDatabase;
let jobs: JobDeps;
const producer = createRedis(redisUrl, "worker");
let owner: SessionUser;
let guest: SessionUser;
let outsider: SessionUser;
let api: { url: string; close(): Promise<void> };
let contextDigest: string;

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = { enqueuer: createEnqueuer(producer, prefix), bus: createJobEventBus({ url: redisUrl, prefix }) };
  owner = await createUser(t.db, { name: "owner", password: "password-o" });
  guest = await createUser(t.db, { name: "guest", password: "password-g" });
  outsider = await createUser(t.db, { name: "outsider", password: "password-x" });
  await createProject(t.db, { name: "team", ownerId: owner.id });
  await addMember(t.db, { user: owner, project: "team", userName: "guest", role: "guest" });
  contextDigest = await uploadBytes(t.db, store, owner, "team", Buffer.from("not really a tar"));
  api = await serveApi({ db: t.db, blobs: store, jobs });
});

afterAll(async () => {
  await api.close();
  await jobs.enqueuer.close();
  await jobs.bus.close();
  producer.disconnect();
  await t.drop();
});

async function callerOf(user: SessionUser | null) {
  if (!user) return (await callAs(t.db, {}, store, jobs)).caller;
  const { token } = await createSession(t.db, { userId: user.id });
  return (await callAs(t.db, { cookie: `sw_session=${token}` }, store, jobs)).caller;
}

let requests = 0;
async function submitAsOwner() {
  const caller = await callerOf(owner);
  return caller.job.submitBuild({
    project: "team",
    runtimeName: "demo",
    source: { kind: "yaml", contextDigest },
    requestId: `request-${++requests}`,
  });
}

/** Reports events as a worker does: stored, then published. */
async function report(jobId: string, inputs: JobEventInput[]): Promise<JobEvent[]> {
  const stored = await appendJobEvents(t.db, Number(jobId), inputs);
  await jobs.bus.publish(jobId, stored);
  return stored;
}

/** Reads `GET /api/jobs/<id>/events` until the stream ends or `stopAfter` events came; returns what arrived. */
async function readSse(
  jobId: string,
  options: { lastEventId?: number; stopAfter?: number; cookie?: string } = {},
): Promise<{ status: number; events: JobEvent[]; ids: number[] }> {
  const abort = new AbortController();
  const response = await fetch(`${api.url}/api/jobs/${jobId}/events`, {
    headers: {
      ...(options.lastEventId !== undefined ? { "last-event-id": String(options.lastEventId) } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    signal: abort.signal,
  });
  const events: JobEvent[] = [];
  const ids: number[] = [];
  if (response.status !== 200 || !response.body) return { status: response.status, events, ids };
  let buffer = "";
  try {
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(frame);
        const data = /^data: (.*)$/m.exec(frame);
        if (id && data) {
          ids.push(Number(id[1]));
          events.push(JSON.parse(data[1]!) as JobEvent);
        }
        if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
          abort.abort();
          return { status: 200, events, ids };
        }
        end = buffer.indexOf("\n\n");
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return { status: response.status, events, ids };
}

async function cookieOf(user: SessionUser) {
  const { token } = await createSession(t.db, { userId: user.id });
  return `sw_session=${token}`;
}

describe("job procedures", () => {
  it("submits a build once per request id and lists it to members", async () => {
    const first = await submitAsOwner();
    expect(first).toMatchObject({
      created: true,
      job: { state: "queued", kind: "runtime.build", lastSeq: 1 },
    });
    const caller = await callerOf(owner);
    const again = await caller.job.submitBuild({
      project: "team",
      runtimeName: "demo",
      source: { kind: "yaml", contextDigest },
      requestId: `request-${requests}`,
    });
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    const list = await (await callerOf(guest)).job.list({ project: "team" });
    expect(list.items.map((j) => j.id)).toContain(first.job.id);
    expect(await (await callerOf(guest)).job.get({ job: first.job.id })).toMatchObject({
      createdBy: "owner",
    });
  });

  it("checks access on every procedure", async () => {
    const { job } = await submitAsOwner();
    const asGuest = await callerOf(guest);
    const asOutsider = await callerOf(outsider);
    const anonymous = await callerOf(null);
    await expect(asGuest.job.cancel({ job: job.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asGuest.job.retry({ job: job.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      asGuest.job.submitBuild({
        project: "team",
        runtimeName: "x",
        source: { kind: "yaml", contextDigest },
        requestId: "g",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A private project's jobs are not found by outsiders, exactly like a missing job.
    await expect(asOutsider.job.get({ job: job.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOutsider.job.get({ job: "999999" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asOutsider.job.list({ project: "team" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(anonymous.job.cancel({ job: job.id })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await readSse(job.id, { cookie: await cookieOf(outsider) })).status).toBe(404);
    expect((await readSse(job.id)).status).toBe(404);
  });

  it("refuses a context the project never received, and bad names", async () => {
    const caller = await callerOf(owner);
    const other = `sha256:${"0".repeat(64)}`;
    await expect(
      caller.job.submitBuild({
        project: "team",
        runtimeName: "demo",
        source: { kind: "yaml", contextDigest: other },
        requestId: "r",
      }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/was not uploaded to project "team"/),
    });
    await expect(
      caller.job.submitBuild({
        project: "team",
        runtimeName: "bad name!",
        source: { kind: "yaml", contextDigest },
        requestId: "r",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("cancels a queued job once, refuses to cancel a finished one, and retries a cancelled one", async () => {
    const { job } = await submitAsOwner();
    const caller = await callerOf(owner);
    expect(await caller.job.cancel({ job: job.id })).toMatchObject({
      state: "cancelled",
      error: "cancelled by owner",
    });
    expect(await caller.job.cancel({ job: job.id })).toMatchObject({ state: "cancelled" });
    const retried = await caller.job.retry({ job: job.id });
    expect(retried).toMatchObject({ state: "queued", error: null });
    await expect(caller.job.retry({ job: job.id })).rejects.toMatchObject({ code: "CONFLICT" });
    const { events } = await readSse(job.id, { stopAfter: 3, cookie: await cookieOf(guest) });
    expect(
      events.map((e) => (e.type === "state" ? `${e.state}${e.reason ? `: ${e.reason}` : ""}` : e.type)),
    ).toEqual(["queued", "cancelled: cancelled by owner", "queued: retried by owner"]);
  });

  it("keeps a build's context from garbage collection while its job waits, and for the cut-off after it ends", async () => {
    const caller = await callerOf(owner);
    const context = await uploadBytes(t.db, store, owner, "team", Buffer.from("a context of its own"));
    const { job } = await caller.job.submitBuild({
      project: "team",
      runtimeName: "demo",
      source: { kind: "yaml", contextDigest: context },
      requestId: "gc-context",
    });
    const ageUpload = async () => {
      await t.db.execute(
        sql`UPDATE ${projectBlobs} SET created_at = now() - interval '2 hours' WHERE digest = ${context}`,
      );
      await t.db.execute(
        sql`UPDATE ${blobs} SET created_at = now() - interval '2 hours' WHERE digest = ${context}`,
      );
    };
    const gc = () => collectGarbage(t.db, store, { olderThanSeconds: 3600 });

    // Queued for two hours, longer than the cut-off: the context stays.
    await ageUpload();
    await gc();
    expect(await store.has(context)).toBe(true);
    // Cancelled just now: it stays for the cut-off, and the job can be retried.
    await caller.job.cancel({ job: job.id });
    await gc();
    expect(await store.has(context)).toBe(true);
    // Ended two hours ago: collected, and a retry says why it can't run instead of failing later on a worker.
    await t.db.execute(
      sql`UPDATE ${jobRows} SET finished_at = now() - interval '2 hours' WHERE id = ${Number(job.id)}`,
    );
    await gc();
    expect(await store.has(context)).toBe(false);
    await expect(caller.job.retry({ job: job.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/build context .* is no longer on the server/),
    });
    expect(await caller.job.get({ job: job.id })).toMatchObject({ state: "cancelled" });
    // The shared context of the other jobs, queued all along, is untouched.
    expect(await store.has(contextDigest)).toBe(true);
  });
});

describe("job events", () => {
  it("delivers live events in order, and a reconnect resumes after the last id with no gap or repeat", async () => {
    const { job } = await submitAsOwner();
    const cookie = await cookieOf(guest);
    const total = 400;
    // The worker reports while the client reads; the client drops the connection after 150 events.
    const first = readSse(job.id, { cookie, stopAfter: 150 });
    const reporting = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < total; i++) {
        await report(job.id, [
          i % 3 === 0
            ? { type: "progress", phase: "install", percent: (i / total) * 100 }
            : { type: "log", line: `line ${i}`, stream: "stdout" },
        ]);
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await t.db.execute(
        // The final state, as the worker's publish stores it.
        (await import("drizzle-orm")).sql`UPDATE jobs SET state = 'succeeded' WHERE id = ${Number(job.id)}`,
      );
      await report(job.id, [{ type: "state", state: "succeeded", result: { version: "abc" } }]);
    })();
    const before = await first;
    const lastSeen = before.ids.at(-1)!;
    const after = await readSse(job.id, { cookie, lastEventId: lastSeen });
    await reporting;
    const seqs = [...before.ids, ...after.ids];
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBe(total + 2); // queued, the reports, succeeded
    expect(after.events.at(-1)).toMatchObject({
      type: "state",
      state: "succeeded",
      result: { version: "abc" },
    });
    expect(before.events.map((e) => e.seq)).toEqual(before.ids);
  });

  it("fills a gap the bus left from the database, and ends at once for a finished job", async () => {
    const { job } = await submitAsOwner();
    const reading = readSse(job.id, { lastEventId: 0, cookie: await cookieOf(owner) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Stored but never published (Redis was away), then one that is published.
    await appendJobEvents(t.db, Number(job.id), [
      { type: "phase", phase: "prepare" },
      { type: "log", line: "lost on the bus", stream: "engine" },
    ]);
    await t.db.execute(
      (await import("drizzle-orm")).sql`UPDATE jobs SET state = 'failed' WHERE id = ${Number(job.id)}`,
    );
    await report(job.id, [{ type: "state", state: "failed", reason: "boom" }]);
    const { ids, events } = await reading;
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(events[2]).toMatchObject({ type: "log", line: "lost on the bus" });
    // Resuming after the final event: nothing more, and the stream ends instead of hanging.
    expect((await readSse(job.id, { lastEventId: 4, cookie: await cookieOf(owner) })).ids).toEqual([]);
  });

  it("streams the same events through the tRPC subscription, resuming from lastEventId", async () => {
    const { job } = await submitAsOwner();
    await report(job.id, [
      { type: "phase", phase: "prepare" },
      { type: "log", line: "hello", stream: "engine" },
    ]);
    await t.db.execute(
      (await import("drizzle-orm")).sql`UPDATE jobs SET state = 'failed' WHERE id = ${Number(job.id)}`,
    );
    await report(job.id, [{ type: "state", state: "failed", reason: "boom" }]);
    const caller = await callerOf(guest);
    const stream = await caller.job.events({ job: job.id, lastEventId: "1" });
    const seen: number[] = [];
    for await (const tracked of stream as AsyncIterable<unknown>) {
      // tracked() yields [id, data, symbol]
      const [, event] = tracked as [string, JobEvent];
      seen.push(event.seq);
    }
    expect(seen).toEqual([2, 3, 4]);
  });
});
