import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractBundle } from "./extract";
import { packBundle } from "./pack";
import { makeTempDir } from "./testing/craft-tar";

const fixtures = join(import.meta.dirname, "../../test-fixtures/starwhale-0.6.15");
const longDir = `files/${"long-directory-name-".repeat(6)}`;

let work: string;
let snapshot: string;
let bundle: string;

beforeAll(async () => {
  work = makeTempDir("interop");
  snapshot = join(work, "snapshot");
  mkdirSync(join(snapshot, "dependencies/.starwhale/lock"), { recursive: true });
  mkdirSync(join(snapshot, "files/scripts"), { recursive: true });
  mkdirSync(join(snapshot, longDir), { recursive: true });
  writeFileSync(join(snapshot, "_manifest.yaml"), "version: abc\nbuild:\n  os: Linux\n");
  writeFileSync(join(snapshot, "runtime.yaml"), "name: interop\n");
  writeFileSync(join(snapshot, "dependencies/.starwhale/lock/requirements-sw-lock.txt"), "tinypkg01==1.0.1");
  writeFileSync(join(snapshot, "files/scripts/run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o700 });
  writeFileSync(join(snapshot, "files/données.txt"), "accents\n");
  writeFileSync(join(snapshot, longDir, "deep.txt"), "deep\n");
  symlinkSync("scripts/run.sh", join(snapshot, "files/run"));
  bundle = join(work, "ours.swrt");
  await packBundle(bundle, { dir: snapshot });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const python = (script: string, ...args: string[]) =>
  execFileSync("python3", ["-c", script, ...args], { encoding: "utf8" });

describe("our bundles in other tools", () => {
  it("GNU tar lists them: root first as /, then sorted relative members, owned by root", () => {
    const lines = execFileSync("tar", ["tvf", bundle], { encoding: "utf8" }).trim().split("\n");
    expect(lines[0]).toMatch(/^drwxr-xr-x root\/root\s+0 1980-01-01 00:00 \/$/);
    expect(lines[1]).toMatch(/^-rw-r--r-- root\/root\s+\d+ 1980-01-01 00:00 _manifest\.yaml$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^-rwxr-xr-x root\/root\s+18 .* files\/scripts\/run\.sh$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^lrwxrwxrwx root\/root\s+0 .* files\/run -> scripts\/run\.sh$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/files\/données\.txt$/));
    expect(lines).toContainEqual(expect.stringMatching(/files\/(long-directory-name-){6}\/deep\.txt$/));
  });

  it("Python's tarfile (what Starwhale uses) reads and extracts them", () => {
    const out = python(
      `
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    members = [[m.name, m.type.decode(), oct(m.mode), m.uid, m.uname, m.mtime] for m in t.getmembers()]
    lock = t.extractfile("dependencies/.starwhale/lock/requirements-sw-lock.txt").read().decode()
    t.extractall(sys.argv[2], filter="data")
print(json.dumps({"members": members, "lock": lock}))`,
      bundle,
      join(work, "by-python"),
    );
    const { members, lock } = JSON.parse(out) as { members: unknown[][]; lock: string };
    expect(members[0]).toEqual(["", "5", "0o755", 0, "root", 315532800]);
    expect(members.map((m) => m[0])).toContain(`${longDir}/deep.txt`);
    expect(members.map((m) => m[0])).toContain("files/données.txt");
    expect(lock).toBe("tinypkg01==1.0.1");
    expect(readFileSync(join(work, "by-python/files/scripts/run.sh"), "utf8")).toBe("#!/bin/sh\necho hi\n");
  });

  it("are byte for byte what Python's tarfile writes for the same tree with the same normalised metadata", () => {
    python(
      `
import sys, tarfile
def normalise(ti):
    ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 315532800, 0, 0, "root", "root"
    ti.mode = 0o777 if ti.issym() else 0o755 if ti.isdir() or ti.mode & 0o111 else 0o644
    ti.pax_headers = {"mtime": "315532800"}
    return ti
with tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT) as t:
    t.add(sys.argv[1], arcname="", filter=normalise)`,
      snapshot,
      join(work, "python.swrt"),
    );
    expect(readFileSync(bundle).equals(readFileSync(join(work, "python.swrt")))).toBe(true);
  });
});

describe("Starwhale's bundles in our extractor", () => {
  /** Sorted "type mode size path" lines and mtimes of a tree, as find(1) sees it. */
  const listing = (dir: string) =>
    execFileSync("find", [".", "-printf", "%y %m %s %p\\t%T@\\n"], { cwd: dir, encoding: "utf8" })
      .trim()
      .split("\n")
      .map((line) => line.split("\t") as [string, string])
      .sort(([a], [b]) => a.localeCompare(b));

  it.each(["demo.swrt", "yamlfull.swrt"])("%s extracts exactly as GNU tar extracts it", async (name) => {
    const ours = join(work, `ours-${name}`);
    const gnu = join(work, `gnu-${name}`);
    await extractBundle(join(fixtures, name), ours);
    mkdirSync(gnu);
    execFileSync("tar", ["xf", join(fixtures, name), "-C", gnu]);
    const [mine, theirs] = [listing(ours), listing(gnu)];
    expect(mine.map(([entry]) => entry)).toEqual(theirs.map(([entry]) => entry));
    for (const [i, [entry, time]] of theirs.entries()) {
      // Node sets times through libuv, to the microsecond.
      expect(Math.abs(Number(mine[i]![1]) - Number(time)), entry).toBeLessThan(2e-6);
      const path = entry.split(" ").slice(3).join(" ");
      if (entry.startsWith("f "))
        expect(readFileSync(join(ours, path)).equals(readFileSync(join(gnu, path)))).toBe(true);
    }
  });
});
