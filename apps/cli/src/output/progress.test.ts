import { Writable } from "node:stream";
import { MultiBar } from "cli-progress";
import { describe, expect, it } from "vitest";
import { createBarProgress, createLineProgress } from "./progress";

describe("line progress (pipes, logs, JSON mode)", () => {
  it("prints a start line, every tenth, log lines, and a done line per phase", () => {
    let clock = 0;
    let text = "";
    const progress = createLineProgress({ write: (chunk: string) => (text += chunk) }, () => clock);
    progress.phase("pack", 10 * 1024 * 1024);
    for (let mib = 1; mib <= 10; mib++) {
      clock += 100;
      progress.update(mib * 1024 * 1024 - 512 * 1024);
      progress.update(mib * 1024 * 1024);
    }
    progress.log("Successfully installed tinypkg01-1.0.1");
    clock += 2000;
    progress.phase("upload");
    progress.update(5 * 1024);
    clock += 2500;
    progress.update(7 * 1024);
    progress.close(true);
    expect(text.split("\n")).toEqual([
      "pack: started (10.0 MiB)",
      "pack: 10% (1.0 MiB of 10.0 MiB)",
      "pack: 20% (2.0 MiB of 10.0 MiB)",
      "pack: 30% (3.0 MiB of 10.0 MiB)",
      "pack: 40% (4.0 MiB of 10.0 MiB)",
      "pack: 50% (5.0 MiB of 10.0 MiB)",
      "pack: 60% (6.0 MiB of 10.0 MiB)",
      "pack: 70% (7.0 MiB of 10.0 MiB)",
      "pack: 80% (8.0 MiB of 10.0 MiB)",
      "pack: 90% (9.0 MiB of 10.0 MiB)",
      "Successfully installed tinypkg01-1.0.1",
      "pack: done (10.0 MiB, 3s)",
      "upload: started",
      "upload: 7.0 KiB",
      "upload: done (7.0 KiB, 3s)",
      "",
    ]);
  });

  it("does not claim the open phase is done when the command failed", () => {
    let text = "";
    const progress = createLineProgress({ write: (chunk: string) => (text += chunk) }, () => 0);
    progress.phase("restore", 3, "items");
    progress.update(1);
    progress.close(false);
    expect(text).toBe("restore: started (3)\nrestore: 30% (1 of 3)\n");
  });
});

describe("bar progress (terminals)", () => {
  it("draws a bar per phase and leaves finished phases on screen", () => {
    let text = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += chunk;
        done();
      },
    });
    // Enough of a terminal for cli-progress, which writes escape codes through readline's helpers.
    const terminal = Object.assign(sink, { isTTY: true, columns: 100 }) as unknown as NodeJS.WriteStream;
    const progress = createBarProgress(MultiBar, terminal, () => 0);
    progress.phase("pack", 2048);
    progress.update(1024);
    progress.log("a pip line");
    progress.phase("upload", 4096);
    progress.update(4096);
    progress.close(true);
    const screen = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
    expect(screen).toContain("✓ pack         2.0 KiB  0s");
    expect(screen).toContain("✓ upload       4.0 KiB  0s");
    expect(screen).toContain("a pip line");
  });

  it("writes nothing at all when no phase was reported", () => {
    let text = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += chunk;
        done();
      },
    });
    const progress = createBarProgress(
      MultiBar,
      Object.assign(sink, { isTTY: true, columns: 100 }) as unknown as NodeJS.WriteStream,
    );
    progress.writeAbove("a result line\n");
    progress.close(true);
    expect(text).toBe("a result line\n");
  });
});
