import type { JobEvent } from "@swhub/shared/jobs";
import { buildPhases } from "@swhub/shared/jobs";
import { describe, expect, it } from "vitest";
import {
  applyJobEvents,
  initialStreamState,
  LOG_CHUNK,
  overallPercent,
  phaseStatus,
} from "./job-stream-state";

const at = "2026-11-28T00:00:00.000Z";
const start = initialStreamState({ state: "queued", error: null, result: null });

describe("applyJobEvents", () => {
  it("folds phases, progress and log lines, and ignores events it has already seen", () => {
    const events: JobEvent[] = [
      { type: "state", seq: 1, at, state: "running" },
      { type: "phase", seq: 2, at, phase: "prepare" },
      { type: "log", seq: 3, at, line: "unpacking", stream: "engine" },
      { type: "phase", seq: 4, at, phase: "install" },
      { type: "progress", seq: 5, at, phase: "install", percent: 40 },
    ];
    const once = applyJobEvents(start, events);
    const twice = applyJobEvents(once, events.slice(2));
    expect(twice).toEqual(once);
    expect(once).toMatchObject({ lastSeq: 5, state: "running", phase: "install", percent: 40 });
    expect(once.log.flat().map((l) => l.line)).toEqual(["unpacking"]);
    expect(phaseStatus(once, "prepare")).toBe("done");
    expect(phaseStatus(once, "install")).toBe("current");
    expect(phaseStatus(once, "pack")).toBe("pending");
    expect(overallPercent(once, buildPhases)).toBeCloseTo(((2 + 0.4) / 6) * 100);
  });

  it("keeps the failure reason and marks where it stopped; a retry starts the phases over", () => {
    const failed = applyJobEvents(start, [
      { type: "phase", seq: 1, at, phase: "install" },
      { type: "log", seq: 2, at, line: "ERROR: No matching distribution", stream: "stderr" },
      { type: "state", seq: 3, at, state: "failed", reason: "pip could not install nope" },
    ]);
    expect(failed.reason).toBe("pip could not install nope");
    expect(phaseStatus(failed, "install")).toBe("stopped");
    const retried = applyJobEvents(failed, [
      { type: "state", seq: 4, at, state: "queued", reason: "retried by alice" },
    ]);
    expect(retried).toMatchObject({ state: "queued", reason: null, phases: [], phase: null });
    expect(retried.log.flat().at(-1)?.line).toContain("retried by alice");
  });

  it("keeps a long log in fixed chunks: earlier chunks are not copied when lines arrive", () => {
    const lines = (from: number, n: number): JobEvent[] =>
      Array.from({ length: n }, (_, i) => ({
        type: "log",
        seq: from + i,
        at,
        line: `l${from + i}`,
        stream: "stdout",
      }));
    const first = applyJobEvents(start, lines(1, LOG_CHUNK + 10));
    const second = applyJobEvents(first, lines(LOG_CHUNK + 11, 5));
    expect(second.logLines).toBe(LOG_CHUNK + 15);
    expect(second.log.map((c) => c.length)).toEqual([LOG_CHUNK, 15]);
    expect(second.log[0]).toBe(first.log[0]);
    expect(first.log[1]).toHaveLength(10);
    expect(second.log.flat().map((l) => l.seq)).toEqual(
      Array.from({ length: LOG_CHUNK + 15 }, (_, i) => i + 1),
    );
  });

  it("a success keeps what it made and counts as all done", () => {
    const done = applyJobEvents(start, [
      { type: "phase", seq: 1, at, phase: "publish" },
      { type: "state", seq: 2, at, state: "succeeded", result: { name: "demo", version: "abc" } },
    ]);
    expect(done.result).toEqual({ name: "demo", version: "abc" });
    expect(overallPercent(done, buildPhases)).toBe(100);
    expect(phaseStatus(done, "publish")).toBe("done");
  });
});
