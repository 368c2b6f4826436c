import { describe, expect, it } from "vitest";
import { createEntryGuard, type GuardInput, resolveInside } from "./entry-guard";

const file = (path: string, size = 1): GuardInput => ({ path, type: "File", size });
const dir = (path: string): GuardInput => ({ path, type: "Directory", size: 0 });
const symlink = (path: string, linkpath: string): GuardInput => ({
  path,
  type: "SymbolicLink",
  size: 0,
  linkpath,
});
const hardlink = (path: string, linkpath: string): GuardInput => ({ path, type: "Link", size: 0, linkpath });

/** Admit all members, then finish; returns the error message, or undefined when all were accepted. */
function verdict(members: GuardInput[], limits = {}): string | undefined {
  const guard = createEntryGuard({ prefix: "x.swrt is unsafe to extract:", limits });
  try {
    for (const member of members) guard.admit(member);
    guard.finish();
    return undefined;
  } catch (error) {
    expect(error).toMatchObject({ name: "AppError", code: "invalid_input" });
    return (error as Error).message;
  }
}

describe("entry guard", () => {
  it("accepts Starwhale's layout: a root named / and relative members", () => {
    const guard = createEntryGuard({ prefix: "" });
    expect(guard.admit(dir("/"))).toBeUndefined();
    expect(guard.admit(dir("dependencies/"))).toEqual({ path: "dependencies", kind: "dir", size: 0 });
    expect(guard.admit(file("./dependencies/req.txt", 17))).toEqual({
      path: "dependencies/req.txt",
      kind: "file",
      size: 17,
    });
    expect(
      verdict([dir("/"), dir("a"), file("a/b"), symlink("a/l", "b"), symlink("c", "a/../a/b")]),
    ).toBeUndefined();
  });

  it.each([
    ["a parent-directory escape", [file("../evil")], 'member "../evil" climbs out with ".."'],
    ["a nested escape", [file("a/../../evil")], "climbs out"],
    ["an absolute path", [file("/etc/cron.d/evil")], "has an absolute path"],
    ["a file claiming to be the root", [file("/")], "names the root but is not a directory"],
    ["a NUL byte", [file("a\0b")], "NUL"],
    ["a character device", [{ path: "dev/null", type: "CharacterDevice", size: 0 }], "is a character device"],
    ["a block device", [{ path: "sda", type: "BlockDevice", size: 0 }], "is a block device"],
    ["a FIFO", [{ path: "pipe", type: "FIFO", size: 0 }], "is a FIFO"],
    ["an unknown type", [{ path: "x", type: "Unsupported", size: 0 }], "unsupported type"],
    ["an absolute symlink", [symlink("etc", "/etc")], 'symlink to the absolute path "/etc"'],
    ["a symlink climbing out", [symlink("up", "../outside")], "pointing outside the target"],
    ["a symlink climbing out from a subdirectory", [symlink("a/b/up", "../../../x")], "pointing outside"],
    ["a file written through a symlink", [symlink("l", "a"), file("l/passwd")], 'is inside the symlink "l"'],
    [
      "a symlink chain that escapes only through another symlink",
      [symlink("here", "."), symlink("a/x", "../here/../etc")],
      "pointing outside",
    ],
    ["a symlink loop", [symlink("a", "b"), symlink("b", "a")], "pointing outside"],
    ["a hardlink to an outside file", [hardlink("passwd", "/etc/passwd")], "has an absolute path"],
    ["a hardlink climbing out", [hardlink("passwd", "../../etc/passwd")], "climbs out"],
    ["a hardlink to nothing in the archive", [hardlink("a", "b")], "not an earlier file"],
    ["a directory replaced by a symlink", [file("d/x"), symlink("d", ".")], "other members are inside it"],
    ["a path that changes type", [file("p"), dir("p")], "appears twice, as a file and as a dir"],
    ["a member inside a file", [file("f"), file("f/g")], 'is inside the file "f"'],
  ])("refuses %s", (_name, members, message) => {
    expect(verdict(members)).toContain(message);
  });

  it("names the archive in the message and keeps control characters off the terminal", () => {
    expect(verdict([file("../\x1b[2Jx")])).toBe(
      'x.swrt is unsafe to extract: member "../\\x1b[2Jx" climbs out with ".."',
    );
  });

  it("refuses impossible sizes and too many members", () => {
    expect(verdict([file("big", 2 ** 40)], { capacity: 1000 })).toContain(
      `declares ${2 ** 40} bytes, more than the 1000-byte archive holds`,
    );
    expect(verdict([file("a", 600), file("b", 600)], { capacity: 1000 })).toContain(
      'member "b" declares 600 bytes',
    );
    expect(verdict([file("a"), file("b"), file("c")], { maxEntries: 2 })).toContain("2 members allowed");
    expect(verdict([file("a", -1)])).toContain("impossible size");
  });

  it("lets a later copy of a file replace an earlier one, as tar does", () => {
    expect(verdict([file("a"), file("a"), hardlink("b", "a")])).toBeUndefined();
  });
});

describe("resolveInside", () => {
  const links = new Map([
    ["lib64", "lib"],
    ["up", ".."],
  ]);
  it("follows the archive's symlinks", () => {
    expect(resolveInside("bin/py", "../lib64/python", links)).toBe("lib/python");
    expect(resolveInside("a/b", "../../up/x", links)).toBeUndefined();
    expect(resolveInside("a", ".", links)).toBe("");
  });
});
