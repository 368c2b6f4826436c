import { createHash, randomBytes } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLayer } from "./layer";
import { blobPath } from "./layout";

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-layer-"));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const big = randomBytes(3 * 1024 * 1024);

async function makeTree(root: string, mtime: Date) {
  await mkdir(join(root, "pkg", "sub"), { recursive: true });
  await writeFile(join(root, "pkg", "__init__.py"), "VALUE = 42\n");
  await writeFile(join(root, "pkg", "sub", "data.bin"), big);
  await writeFile(join(root, "run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(join(root, "run.sh"), 0o700);
  await writeFile(join(root, "a-file"), "a");
  await symlink("pkg/__init__.py", join(root, "link.py"));
  for (const p of ["pkg/__init__.py", "pkg/sub/data.bin", "run.sh", "a-file", "pkg/sub", "pkg", ""]) {
    await utimes(join(root, p), mtime, mtime);
  }
}

interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  mtime: number;
  linkname: string | null;
  sha: string;
}

async function readLayer(path: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on("entry", (header, stream, next) => {
      const hash = createHash("sha256");
      stream.on("data", (d) => {
        hash.update(d as Buffer);
      });
      stream.on("end", () => {
        entries.push({
          name: header.name,
          type: header.type,
          mode: header.mode,
          uid: header.uid,
          gid: header.gid,
          uname: header.uname,
          mtime: header.mtime.getTime(),
          linkname: header.linkname,
          sha: hash.digest("hex").slice(0, 12),
        });
        next();
      });
    });
    reader.on("finish", () => resolve());
    reader.on("error", reject);
  });
  reader.end(gunzipSync(await readFile(path)));
  await done;
  return entries;
}

describe("createLayer", () => {
  it("gives the same digest for the same content, whatever the mtimes and owners on disk", async () => {
    const first = join(tmp, "one");
    const second = join(tmp, "two");
    await makeTree(first, new Date("2020-01-01"));
    await makeTree(second, new Date("2024-06-30"));
    await chown(join(second, "pkg", "__init__.py"), 1234, 1234);
    const layout = join(tmp, "layout");
    const a = await createLayer(layout, { from: { directory: first }, prefix: "/opt/app" });
    const b = await createLayer(layout, { from: { directory: second }, prefix: "/opt/app" });
    expect(b).toEqual(a);

    // The digests describe the bytes: checked with an independent gunzip and hash.
    const bytes = await readFile(blobPath(layout, a.descriptor.digest));
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(a.descriptor.digest);
    expect(`sha256:${createHash("sha256").update(gunzipSync(bytes)).digest("hex")}`).toBe(a.diffId);
    expect(a.descriptor.size).toBe(bytes.length);
    expect(a.descriptor.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");

    await writeFile(join(second, "a-file"), "b");
    const c = await createLayer(layout, { from: { directory: second }, prefix: "/opt/app" });
    expect(c.descriptor.digest).not.toBe(a.descriptor.digest);
  });

  it("keeps files' own mtimes when asked (bytecode is checked against them), and reports its progress", async () => {
    await makeTree(join(tmp, "src"), new Date("2021-05-05T00:00:00Z"));
    const seen: number[] = [];
    const layer = await createLayer(join(tmp, "layout"), {
      from: { directory: join(tmp, "src") },
      keepFileMtimes: true,
      onProgress: (bytes) => seen.push(bytes),
    });
    const entries = await readLayer(blobPath(join(tmp, "layout"), layer.descriptor.digest));
    const times = Object.fromEntries(entries.map((e) => [e.name, e.mtime]));
    expect(times["pkg/__init__.py"]).toBe(Date.parse("2021-05-05T00:00:00Z"));
    expect(times["pkg/"]).toBe(0);
    expect(times["link.py"]).toBe(0);
    const uncompressed = gunzipSync(
      await readFile(blobPath(join(tmp, "layout"), layer.descriptor.digest)),
    ).length;
    expect(seen.at(-1)).toBe(uncompressed);
  });

  it("writes sorted entries under the prefix, parents first, with fixed owners, times and modes", async () => {
    await makeTree(join(tmp, "src"), new Date("2021-05-05"));
    const layer = await createLayer(join(tmp, "layout"), {
      from: { directory: join(tmp, "src") },
      prefix: "opt/app/",
    });
    const entries = await readLayer(blobPath(join(tmp, "layout"), layer.descriptor.digest));
    expect(entries.map((e) => e.name)).toEqual([
      "opt/",
      "opt/app/",
      "opt/app/a-file",
      "opt/app/link.py",
      "opt/app/pkg/",
      "opt/app/pkg/__init__.py",
      "opt/app/pkg/sub/",
      "opt/app/pkg/sub/data.bin",
      "opt/app/run.sh",
    ]);
    for (const e of entries) expect([e.uid, e.gid, e.uname, e.mtime]).toEqual([0, 0, "", 0]);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(byName["opt/app/run.sh"]!.mode).toBe(0o755);
    expect(byName["opt/app/a-file"]!.mode).toBe(0o644);
    expect(byName["opt/app/pkg/"]).toMatchObject({ type: "directory", mode: 0o755 });
    expect(byName["opt/app/link.py"]).toMatchObject({ type: "symlink", linkname: "pkg/__init__.py" });
    expect(byName["opt/app/pkg/sub/data.bin"]!.sha).toBe(
      createHash("sha256").update(big).digest("hex").slice(0, 12),
    );
  });

  it("builds from a list of entries, adding parent directories", async () => {
    const layer = await createLayer(join(tmp, "layout"), {
      from: {
        entries: [
          { path: "/etc/motd", type: "file", content: "hello\n" },
          { path: "usr/bin/tool", type: "file", content: "#!/bin/sh\n", mode: 0o755 },
          { path: "bin", type: "symlink", target: "usr/bin" },
          { path: "tmp", type: "directory", mode: 0o1777 },
        ],
      },
    });
    const entries = await readLayer(blobPath(join(tmp, "layout"), layer.descriptor.digest));
    expect(entries.map((e) => `${e.name} ${e.mode.toString(8)}`)).toEqual([
      "bin 777",
      "etc/ 755",
      "etc/motd 644",
      "tmp/ 1777",
      "usr/ 755",
      "usr/bin/ 755",
      "usr/bin/tool 755",
    ]);
  });

  it("refuses a prefix or entry that leaves the image root, and a missing directory", async () => {
    const layout = join(tmp, "layout");
    await expect(createLayer(layout, { from: { entries: [] }, prefix: "/../etc" })).rejects.toThrow(
      /leaves the image root/,
    );
    await expect(
      createLayer(layout, { from: { entries: [{ path: "../x", type: "file", content: "" }] } }),
    ).rejects.toThrow(/not a path inside the image/);
    await expect(createLayer(layout, { from: { directory: join(tmp, "nope") } })).rejects.toThrow(
      /cannot make a layer from .*nope: not a directory/,
    );
  });
});
