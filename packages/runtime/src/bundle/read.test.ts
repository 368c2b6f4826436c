import { writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listBundle, readBundleMember } from "./read";
import { craftTar, makeTempDir } from "./testing/craft-tar";

const fixtures = join(import.meta.dirname, "../../test-fixtures/starwhale-0.6.15");

let work: string;
beforeEach(() => {
  work = makeTempDir("read");
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("readBundleMember", () => {
  it("reads _manifest.yaml out of a Starwhale bundle", async () => {
    const manifest = (await readBundleMember(join(fixtures, "demo.swrt"), "_manifest.yaml")).toString();
    expect(manifest).toContain("version: nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y");
    expect(manifest.length).toBe(1305); // the size GNU tar lists for it
  });

  it("reads a member of a gzipped tar", async () => {
    const archive = join(work, "a.tar.gz");
    writeFileSync(archive, gzipSync(craftTar([{ name: "./x/y.txt", data: "hello" }])));
    expect((await readBundleMember(archive, "x/y.txt")).toString()).toBe("hello");
  });

  it("says which member is missing, and refuses to read a directory", async () => {
    await expect(readBundleMember(join(fixtures, "demo.swrt"), "nope.yaml")).rejects.toMatchObject({
      code: "not_found",
      message: `${join(fixtures, "demo.swrt")} has no member "nope.yaml"`,
    });
    await expect(readBundleMember(join(fixtures, "demo.swrt"), "wheels")).rejects.toThrow(
      "is not a regular file",
    );
  });

  it("refuses to load an oversized member into memory", async () => {
    await expect(
      readBundleMember(join(fixtures, "demo.swrt"), "_manifest.yaml", { maxBytes: 100 }),
    ).rejects.toThrow("is larger than 100 bytes");
  });
});

describe("listBundle", () => {
  it("lists a Starwhale bundle without its root entry", async () => {
    const members = await listBundle(join(fixtures, "demo.swrt"));
    expect(members.map((m) => `${m.type} ${m.path} ${m.size}`)).toEqual([
      "File _manifest.yaml 1305",
      "Directory dependencies 0",
      "Directory dependencies/.starwhale 0",
      "Directory dependencies/.starwhale/lock 0",
      "File dependencies/.starwhale/lock/requirements-sw-lock.txt 97",
      "Directory files 0",
      "File runtime.yaml 171",
      "Directory wheels 0",
    ]);
    // Starwhale's PAX headers carry sub-second mtimes (the record reads "mtime=1795807756.6407483").
    expect(members[0]?.mtime).toBe(1795807756.6407483);
  });

  it("reports a corrupt archive", async () => {
    const archive = join(work, "bad.tar");
    writeFileSync(archive, craftTar([{ name: "a", data: "x", checksum: 1 }]));
    await expect(listBundle(archive)).rejects.toMatchObject({ code: "invalid_input" });
    writeFileSync(archive, Buffer.concat([gzipSync(craftTar([{ name: "a", data: "x" }])).subarray(0, 30)]));
    await expect(listBundle(archive)).rejects.toThrow("is corrupt or truncated");
  });
});
