import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withFileLock } from "./lock";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "swhub-lock-"));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A separate Node process that increments a counter file `times` times, each under the lock. */
function incrementer(lock: string, counter: string, times: number): Promise<number> {
  const script = `
    import { readFileSync, writeFileSync } from "node:fs";
    import { withFileLock } from ${JSON.stringify(join(import.meta.dirname, "lock.ts"))};
    for (let i = 0; i < ${times}; i++) {
      await withFileLock(${JSON.stringify(lock)}, async () => {
        const n = Number(readFileSync(${JSON.stringify(counter)}, "utf8"));
        await new Promise((r) => setTimeout(r, 1));
        writeFileSync(${JSON.stringify(counter)}, String(n + 1));
      });
    }`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: "inherit",
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
}

describe("withFileLock", () => {
  it("serialises concurrent processes: no update is lost", async () => {
    const counter = join(work, "counter");
    writeFileSync(counter, "0");
    const codes = await Promise.all([1, 2, 3].map(() => incrementer(join(work, "store.lock"), counter, 25)));
    expect(codes).toEqual([0, 0, 0]);
    expect(readFileSync(counter, "utf8")).toBe("75");
    expect(readdirSync(work)).toEqual(["counter"]);
  }, 30_000);

  it("serialises callers within one process too", async () => {
    const order: string[] = [];
    const lock = join(work, "store.lock");
    await Promise.all(
      ["a", "b", "c"].map((name) =>
        withFileLock(lock, async () => {
          order.push(`${name}+`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${name}-`);
        }),
      ),
    );
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace("+", "-"));
  });

  it("breaks a lock left by a process that died", async () => {
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    writeFileSync(join(work, "store.lock"), `${dead} 0123456789ab\n`);
    const started = Date.now();
    expect(await withFileLock(join(work, "store.lock"), async () => "ran")).toBe("ran");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(readdirSync(work)).toEqual([]);
  });

  it("waits for a lock that is still being written, and breaks one left empty by a crash", async () => {
    const lock = join(work, "store.lock");
    writeFileSync(lock, "");
    await expect(withFileLock(lock, async () => "never", { timeoutMs: 100 })).rejects.toMatchObject({
      code: "conflict",
    });
    const { utimesSync } = await import("node:fs");
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await withFileLock(lock, async () => "ran")).toBe("ran");
  });

  it("gives up after the timeout with the holder's pid, and releases on error", async () => {
    const lock = join(work, "store.lock");
    let waitedFor: number | undefined;
    await withFileLock(lock, async () => {
      await expect(
        withFileLock(lock, async () => "never", {
          timeoutMs: 150,
          onWait: (pid) => {
            waitedFor = pid;
          },
        }),
      ).rejects.toMatchObject({
        code: "conflict",
        message: `another swcli process (pid ${process.pid}) holds the lock ${lock}`,
      });
    });
    expect(waitedFor).toBe(process.pid);
    await expect(withFileLock(lock, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await withFileLock(lock, async () => "free again")).toBe("free again");
  });
});
