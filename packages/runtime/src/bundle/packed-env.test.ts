import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultBundleMtime } from "./pack";
import { imageEnvPrefix, packEnv, readPackedEnvMeta } from "./packed-env";
import { craftTar } from "./testing/craft-tar";
import { unpackTar } from "./unpack-tar";

const env = imageEnvPrefix.slice(1);
let tmp: string;
let prefix: string;

/** A .pyc header as CPython 3.7+ writes it: magic, flags 0 (timestamp-checked), source mtime, source size. */
function pyc(mtime: number): Buffer {
  const head = Buffer.alloc(20);
  head.write("\xa7\x0d\x0d\x0a", 0, "latin1");
  head.writeUInt32LE(mtime, 8);
  head.writeUInt32LE(6, 12);
  return head;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-packed-layer-"));
  // A venv as it looks on disk (packing needs no interpreter).
  prefix = join(tmp, "home", "me", "venv");
  const site = join(prefix, "lib", "python3.11", "site-packages");
  await mkdir(join(site, "tiny", "__pycache__"), { recursive: true });
  await mkdir(join(prefix, "bin"), { recursive: true });
  await writeFile(join(prefix, "pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.7\nprompt = 'mine'\n");
  await writeFile(join(prefix, "bin", "activate"), `VIRTUAL_ENV="${prefix}"\nexport VIRTUAL_ENV\n`);
  await writeFile(join(prefix, "bin", "tiny"), `#!${prefix}/bin/python\nimport tiny\n`, { mode: 0o755 });
  await symlink("/usr/bin/python3.11", join(prefix, "bin", "python"));
  await symlink("lib", join(prefix, "lib64"));
  await writeFile(join(site, "tiny", "__init__.py"), "X = 1\n");
  await writeFile(join(site, "tiny", "__pycache__", "__init__.cpython-311.pyc"), pyc(1_700_000_000));
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeUInt16LE(62, 18);
  await writeFile(join(site, "tiny", "_native.so"), elf);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

interface Member {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  data: Buffer;
}

async function members(archive: string): Promise<[string, Member][]> {
  const out: [string, Member][] = [];
  const tar = extract();
  tar.end(gunzipSync(await readFile(archive)));
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const h = entry.header;
    out.push([
      h.name.replace(/\/$/, ""),
      {
        type: h.type ?? "",
        mode: h.mode ?? 0,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        mtime: (h.mtime?.getTime() ?? 0) / 1000,
        data: Buffer.concat(chunks),
      },
    ]);
  }
  return out;
}

describe("packEnv as an image layer", () => {
  it("gives the same digest and diff_id for the same venv, whatever its files' times", async () => {
    const a = await packEnv(prefix, join(tmp, "a.tar.gz"));
    await utimes(join(prefix, "lib", "python3.11", "site-packages", "tiny", "__init__.py"), 1e9, 1e9);
    await utimes(join(prefix, "bin", "tiny"), 1.5e9, 1.5e9);
    const b = await packEnv(prefix, join(tmp, "b.tar.gz"));
    expect(b.layer).toEqual(a.layer);
    expect((await readFile(join(tmp, "b.tar.gz"))).equals(await readFile(join(tmp, "a.tar.gz")))).toBe(true);
    const raw = gunzipSync(await readFile(join(tmp, "a.tar.gz")));
    expect(a.layer?.diffId).toBe(`sha256:${createHash("sha256").update(raw).digest("hex")}`);
    expect(a.layer).toMatchObject({
      digest: a.digest,
      size: a.size,
      prefix: imageEnvPrefix,
      python: "3.11",
      architectures: ["amd64"],
    });
  });

  it("holds the venv under the image's env prefix: sorted, root-owned, one time, relocated", async () => {
    await packEnv(prefix, join(tmp, "c.tar.gz"));
    const list = await members(join(tmp, "c.tar.gz"));
    const names = list.map(([name]) => name);
    expect(names.slice(0, 6)).toEqual([
      "opt",
      "opt/starwhale.user",
      "opt/starwhale.user/runtime",
      "opt/starwhale.user/runtime/export",
      env,
      `${env}/.swhub-packed-env.json`,
    ]);
    expect(names.slice(6).every((name) => name.startsWith(`${env}/`))).toBe(true);
    expect(names).not.toContain(`${env}/bin/python`);
    expect(names).toContain(`${env}/lib64`);
    for (const [, m] of list) expect(m).toMatchObject({ uid: 0, gid: 0, mtime: defaultBundleMtime });
    const get = (name: string) => list.find(([n]) => n === `${env}/${name}`)![1];
    expect(get("bin/tiny").data.toString()).toBe(`#!${imageEnvPrefix}/bin/python\nimport tiny\n`);
    expect(get("bin/tiny").mode).toBe(0o755);
    expect(get("bin/activate").data.toString()).toContain(`VIRTUAL_ENV="${imageEnvPrefix}"`);
    // The .pyc names the time its source now has, so Python keeps using it.
    const header = get("lib/python3.11/site-packages/tiny/__pycache__/__init__.cpython-311.pyc").data;
    expect(header.readUInt32LE(8)).toBe(defaultBundleMtime);
    expect(header.readUInt32LE(12)).toBe(6);

    const meta = await readPackedEnvMeta(join(tmp, "c.tar.gz"));
    expect(meta).toMatchObject({
      format: 2,
      root: env,
      prefixes: [imageEnvPrefix],
      python: "3.11",
      prompt: "mine",
      has: ["lib64", "bin/activate"],
    });
    expect(meta.format === 2 && meta.pyvenvCfg).toContain("version = 3.11.7");
  });

  it("leaves the venv on disk as it was", async () => {
    expect(await readFile(join(prefix, "bin", "tiny"), "utf8")).toBe(`#!${prefix}/bin/python\nimport tiny\n`);
    const header = await readFile(
      join(prefix, "lib", "python3.11", "site-packages", "tiny", "__pycache__", "__init__.cpython-311.pyc"),
    );
    expect(header.readUInt32LE(8)).toBe(1_700_000_000);
  });
});

describe("unpackTar with a root", () => {
  const guard = { prefix: "env.tar.gz is unsafe to unpack:" };
  it("unpacks the tree under the root, relative to it", async () => {
    const archive = join(tmp, "rooted.tar.gz");
    await writeFile(
      archive,
      gzipSync(
        craftTar([
          { name: "opt/", type: "5" },
          { name: "opt/env/", type: "5" },
          { name: "opt/env/bin/", type: "5" },
          { name: "opt/env/bin/tool", data: "hi" },
        ]),
      ),
    );
    const dir = await mkdtemp(join(tmp, "out-"));
    await unpackTar(archive, dir, { gzip: true, guard, root: "opt/env" });
    expect(await readFile(join(dir, "bin", "tool"), "utf8")).toBe("hi");
  });

  it("refuses a member outside the root", async () => {
    const archive = join(tmp, "outside.tar.gz");
    await writeFile(
      archive,
      gzipSync(
        craftTar([
          { name: "opt/env/", type: "5" },
          { name: "etc/passwd", data: "x" },
        ]),
      ),
    );
    const dir = await mkdtemp(join(tmp, "out-"));
    await expect(unpackTar(archive, dir, { gzip: true, guard, root: "opt/env" })).rejects.toThrow(
      'env.tar.gz is unsafe to unpack: "etc/passwd" is outside opt/env/',
    );
  });
});
