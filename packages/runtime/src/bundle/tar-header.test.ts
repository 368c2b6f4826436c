import { describe, expect, it } from "vitest";
import { decodeTarHeader, encodeTarHeader, parsePaxRecords, recordSize, trailerFor } from "./tar-header";
import { craftHeader } from "./testing/craft-tar";

const base = {
  mode: 0o644,
  size: 5,
  mtime: 315_532_800,
  uid: 0,
  gid: 0,
  uname: "root",
  gname: "root",
} as const;

/** Split what encodeTarHeader returns into its PAX records and the ustar block that follows. */
function split(bytes: Buffer) {
  const pax = decodeTarHeader(bytes, 0);
  const records = parsePaxRecords(bytes.subarray(512, 512 + pax.size))!;
  const ustar = bytes.subarray(bytes.length - 512);
  return { pax, records, ustar: decodeTarHeader(ustar, 0), raw: ustar };
}

describe("tar headers", () => {
  it("writes a PAX header named ././@PaxHeader with the mtime, then a ustar header", () => {
    const { pax, records, ustar, raw } = split(encodeTarHeader({ ...base, path: "a/b.txt", type: "file" }));
    expect(pax.path).toBe("././@PaxHeader");
    expect(pax.type).toBe("ExtendedHeader");
    expect([...records]).toEqual([["mtime", "315532800"]]);
    expect(ustar).toMatchObject({ path: "a/b.txt", type: "File", mode: 0o644, size: 5, mtime: 315_532_800 });
    expect(ustar.checksumValid).toBe(true);
    expect(raw.toString("latin1", 257, 265)).toBe("ustar\u000000");
    expect(raw.toString("latin1", 265, 269)).toBe("root");
  });

  it("names the root directory / and directories with a trailing slash", () => {
    expect(split(encodeTarHeader({ ...base, size: 0, path: "", type: "dir", mode: 0o755 })).ustar.path).toBe(
      "/",
    );
    expect(split(encodeTarHeader({ ...base, size: 0, path: "wheels", type: "dir" })).ustar.path).toBe(
      "wheels/",
    );
  });

  it("keeps long and non-ASCII names whole in PAX records", () => {
    const long = `${"d".repeat(120)}/file.txt`;
    expect(split(encodeTarHeader({ ...base, path: long, type: "file" })).records.get("path")).toBe(long);
    const accented = "données/café.txt";
    expect(split(encodeTarHeader({ ...base, path: accented, type: "file" })).records.get("path")).toBe(
      accented,
    );
    const link = split(
      encodeTarHeader({ ...base, size: 0, path: "l", type: "symlink", linkpath: "x".repeat(150) }),
    );
    expect(link.records.get("linkpath")).toBe("x".repeat(150));
  });

  it("stores sizes of 8 GiB and more in PAX", () => {
    const { records, ustar } = split(
      encodeTarHeader({ ...base, path: "big", type: "file", size: 2 ** 33 + 1 }),
    );
    expect(records.get("size")).toBe(String(2 ** 33 + 1));
    expect(ustar.size).toBe(0);
  });

  it("gets PAX record lengths right across a digit boundary", () => {
    // The record length counts its own digits; around 100 bytes it grows from 2 digits to 3.
    for (const n of [80, 89, 90, 91, 92, 93]) {
      const path = `${"p".repeat(n)}é`;
      const { records } = split(encodeTarHeader({ ...base, path, type: "file" }));
      expect(records.get("path")).toBe(path);
    }
  });

  it("decodes headers written by other tools, and notices a bad checksum", () => {
    const good = craftHeader({ name: "x/y", type: "2", linkname: "../z", mode: 0o777 });
    expect(decodeTarHeader(good, 0)).toMatchObject({ path: "x/y", type: "SymbolicLink", linkpath: "../z" });
    expect(decodeTarHeader(good, 0).checksumValid).toBe(true);
    expect(decodeTarHeader(craftHeader({ name: "x", checksum: 1234 }), 0).checksumValid).toBe(false);
  });

  it("pads the archive to whole 10240-byte records after two zero blocks", () => {
    expect(trailerFor(0).length).toBe(recordSize);
    expect(trailerFor(512).length).toBe(recordSize - 512);
    expect(trailerFor(recordSize - 1024).length).toBe(1024);
    expect(trailerFor(recordSize - 512).length).toBe(1024 + recordSize - 512);
  });

  it("rejects malformed PAX data", () => {
    expect(parsePaxRecords(Buffer.from("99 path=x\n"))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from("9 pathx\n"))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from("12 path=a\nb\n"))?.get("path")).toBe("a\nb");
  });
});
