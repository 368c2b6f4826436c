import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renameAtomic, sweepStaleTemps, writeFileAtomic, writeFileAtomicWith } from "./atomic";

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "swhub-atomic-"));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("replaces a file's content and leaves no temporary file", async () => {
    const path = join(work, "tags.yaml");
    writeFileSync(path, "old");
    await writeFileAtomic(path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
    await writeFileAtomic(
      path,
      (async function* () {
        yield Buffer.from("streamed ");
        yield Buffer.from("content");
      })(),
    );
    expect(readFileSync(path, "utf8")).toBe("streamed content");
    expect(readdirSync(work)).toEqual(["tags.yaml"]);
  });

  it("keeps the old content when writing fails half way", async () => {
    const path = join(work, "tags.yaml");
    writeFileSync(path, "old");
    const failing = writeFileAtomicWith(path, async (handle) => {
      await handle.write("half of the new");
      throw new Error("disk went away");
    });
    await expect(failing).rejects.toThrow("disk went away");
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(work)).toEqual(["tags.yaml"]);
  });
});

describe("renameAtomic", () => {
  it("moves a directory into place, and refuses to clobber one without replace", async () => {
    mkdirSync(join(work, "new"));
    writeFileSync(join(work, "new/a"), "1");
    await renameAtomic(join(work, "new"), join(work, "target"));
    expect(readFileSync(join(work, "target/a"), "utf8")).toBe("1");

    mkdirSync(join(work, "newer"));
    writeFileSync(join(work, "newer/b"), "2");
    await expect(renameAtomic(join(work, "newer"), join(work, "target"))).rejects.toMatchObject({
      code: "conflict",
    });
    expect(readdirSync(join(work, "target"))).toEqual(["a"]);

    await renameAtomic(join(work, "newer"), join(work, "target"), { replace: true });
    expect(readdirSync(join(work, "target"))).toEqual(["b"]);
    expect(readdirSync(work)).toEqual(["target"]);
  });
});

describe("sweepStaleTemps", () => {
  it("removes temporary files of dead processes and keeps those of live ones", async () => {
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    writeFileSync(join(work, `.v1.swrt.swtmp-${dead}-abcd`), "partial");
    mkdirSync(join(work, `.snapshot.swtmp-${dead}-beef`));
    writeFileSync(join(work, `.v2.swrt.swtmp-${process.pid}-abcd`), "in progress");
    writeFileSync(join(work, "v3.swrt"), "done");
    expect((await sweepStaleTemps(work)).sort()).toEqual([
      `.snapshot.swtmp-${dead}-beef`,
      `.v1.swrt.swtmp-${dead}-abcd`,
    ]);
    expect(readdirSync(work).sort()).toEqual([`.v2.swrt.swtmp-${process.pid}-abcd`, "v3.swrt"]);
  });
});
