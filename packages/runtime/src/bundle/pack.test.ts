import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packBundle, resolveBundleMtime } from "./pack";
import { listBundle, readBundleMember } from "./read";
import { makeTempDir } from "./testing/craft-tar";

let work: string;
beforeEach(() => {
  work = makeTempDir("pack");
});
afterEach(async () => {
  const { rm } = await import("node:fs/promises");
  await rm(work, { recursive: true, force: true });
});

/** A small snapshot directory like the one `runtime build` leaves. */
function makeSnapshot(root: string): string {
  mkdirSync(join(root, "dependencies/.starwhale/lock"), { recursive: true });
  mkdirSync(join(root, "files/scripts"), { recursive: true });
  mkdirSync(join(root, "wheels"));
  writeFileSync(join(root, "_manifest.yaml"), "version: abc\n");
  writeFileSync(join(root, "runtime.yaml"), "name: demo\n");
  writeFileSync(join(root, "dependencies/.starwhale/lock/requirements-sw-lock.txt"), "tinypkg01==1.0\n");
  writeFileSync(join(root, "files/scripts/hello.sh"), "#!/bin/sh\necho hi\n", { mode: 0o700 });
  writeFileSync(join(root, "files/secret.txt"), "x", { mode: 0o600 });
  return root;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("packBundle", () => {
  it("lists members the way Python's tarfile.add walks a tree: depth first, sorted", async () => {
    const snapshot = makeSnapshot(join(work, "snap"));
    mkdirSync(join(snapshot, "files/a-b"));
    writeFileSync(join(snapshot, "files/a-b/x"), "");
    mkdirSync(join(snapshot, "files/a"));
    writeFileSync(join(snapshot, "files/a/y"), "");
    await packBundle(join(work, "out.swrt"), { dir: snapshot });
    expect((await listBundle(join(work, "out.swrt"))).map((m) => m.path)).toEqual([
      "_manifest.yaml",
      "dependencies",
      "dependencies/.starwhale",
      "dependencies/.starwhale/lock",
      "dependencies/.starwhale/lock/requirements-sw-lock.txt",
      "files",
      "files/a",
      "files/a/y",
      "files/a-b",
      "files/a-b/x",
      "files/scripts",
      "files/scripts/hello.sh",
      "files/secret.txt",
      "runtime.yaml",
      "wheels",
    ]);
  });

  it("gives the same bytes for the same content, whatever the files' times, owners or modes", async () => {
    const a = makeSnapshot(join(work, "a"));
    const first = await packBundle(join(work, "1.swrt"), { dir: a });
    utimesSync(join(a, "runtime.yaml"), new Date("2020-01-01"), new Date("2020-01-01"));
    chmodSync(join(a, "files/secret.txt"), 0o640);
    chmodSync(join(a, "files/scripts/hello.sh"), 0o750);
    const second = await packBundle(join(work, "2.swrt"), { dir: a });
    const elsewhere = await packBundle(join(work, "3.swrt"), { dir: makeSnapshot(join(work, "b")) });
    expect(second.digest).toBe(first.digest);
    expect(elsewhere.digest).toBe(first.digest);
    expect(first.digest).toBe(`sha256:${sha256(join(work, "1.swrt"))}`);
    expect(readFileSync(join(work, "2.swrt")).equals(readFileSync(join(work, "1.swrt")))).toBe(true);

    writeFileSync(join(a, "runtime.yaml"), "name: other\n");
    expect((await packBundle(join(work, "4.swrt"), { dir: a })).digest).not.toBe(first.digest);
  });

  it("normalises modes to 0644 and 0755, and times to 1980-01-01 (or the given time)", async () => {
    const snapshot = makeSnapshot(join(work, "snap"));
    await packBundle(join(work, "out.swrt"), { dir: snapshot });
    const members = new Map((await listBundle(join(work, "out.swrt"))).map((m) => [m.path, m]));
    expect(members.get("files/secret.txt")?.mode).toBe(0o644);
    expect(members.get("files/scripts/hello.sh")?.mode).toBe(0o755);
    expect(members.get("wheels")?.mode).toBe(0o755);
    expect(members.get("runtime.yaml")?.mtime).toBe(Date.UTC(1980, 0, 1) / 1000);

    await packBundle(join(work, "epoch.swrt"), { dir: snapshot, mtime: resolveBundleMtime("1700000000") });
    const [manifest] = await listBundle(join(work, "epoch.swrt"));
    expect(manifest?.mtime).toBe(1_700_000_000);
  });

  it("is padded to whole 10240-byte records", async () => {
    const packed = await packBundle(join(work, "out.swrt"), { dir: makeSnapshot(join(work, "snap")) });
    expect(packed.size % 10240).toBe(0);
    expect(statSync(join(work, "out.swrt")).size).toBe(packed.size);
  });

  it("packs explicit entries, with their parent directories implied", async () => {
    const wheel = join(work, "tiny-1.0-py3-none-any.whl");
    writeFileSync(wheel, "PK fake wheel");
    await packBundle(join(work, "out.swrt"), {
      entries: [
        { path: "_manifest.yaml", type: "file", content: "version: v1\n" },
        { path: "wheels/tiny-1.0-py3-none-any.whl", type: "file", source: wheel },
        { path: "files/run.sh", type: "file", content: "#!/bin/sh\n", executable: true },
      ],
    });
    const members = await listBundle(join(work, "out.swrt"));
    expect(members.map((m) => `${m.path} ${m.type} ${m.mode.toString(8)}`)).toEqual([
      "_manifest.yaml File 644",
      "files Directory 755",
      "files/run.sh File 755",
      "wheels Directory 755",
      "wheels/tiny-1.0-py3-none-any.whl File 644",
    ]);
    expect(
      (await readBundleMember(join(work, "out.swrt"), "wheels/tiny-1.0-py3-none-any.whl")).toString(),
    ).toBe("PK fake wheel");
  });

  it.each([
    [
      "a path given twice",
      [
        { path: "a", type: "file", content: "" },
        { path: "a", type: "file", content: "" },
      ],
      "given twice",
    ],
    ["an entry climbing out", [{ path: "../a", type: "file", content: "" }], "must be relative"],
    ["an absolute entry", [{ path: "/etc/a", type: "file", content: "" }], "must be relative"],
    ["a symlink pointing outside", [{ path: "l", type: "symlink", target: "../../etc" }], "pointing outside"],
    ["a missing source", [{ path: "a", type: "file", source: "/nonexistent/file" }], "no such file"],
  ] as const)("refuses %s and writes nothing", async (_name, entries, message) => {
    const out = join(work, "out.swrt");
    await expect(packBundle(out, { entries: [...entries] })).rejects.toThrow(message);
    expect(readdirSync(work)).toEqual([]);
  });

  it("refuses a snapshot holding a symlink to outside it", async () => {
    const snapshot = makeSnapshot(join(work, "snap"));
    symlinkSync("/etc/passwd", join(snapshot, "files/passwd"));
    await expect(packBundle(join(work, "out.swrt"), { dir: snapshot })).rejects.toThrow(
      'member "files/passwd" is a symlink to the absolute path "/etc/passwd"',
    );
    expect(readdirSync(work)).toEqual(["snap"]);
  });

  it("rejects a malformed SOURCE_DATE_EPOCH", () => {
    expect(resolveBundleMtime(undefined)).toBe(315_532_800);
    expect(() => resolveBundleMtime("yesterday")).toThrow("SOURCE_DATE_EPOCH must be whole seconds");
  });
});
