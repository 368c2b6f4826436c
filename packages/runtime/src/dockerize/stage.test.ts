import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { elfArchitecture } from "../bundle/file-heads";
import { packEnv } from "../bundle/packed-env";
import { initLayout, readBlob } from "../oci/layout";
import type { BasePython } from "./base-python";
import { PackedEnvUnfit, packedEnvLayer } from "./stage";

const env = "/opt/starwhale.user/runtime/export/venv";
const python: BasePython = { version: "3.11", path: "/usr/bin/python3.11", shell: true, via: "filesystem" };
const amd64 = { os: "linux", architecture: "amd64" };

let tmp: string;
let archive: string;
let prefix: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-stage-"));
  // A venv as it looks on disk (no interpreter needed to pack it): what relocation has to rewrite.
  prefix = join(tmp, "home", "me", "venv");
  const site = join(prefix, "lib", "python3.11", "site-packages");
  await mkdir(join(site, "tiny", "__pycache__"), { recursive: true });
  await mkdir(join(prefix, "bin"), { recursive: true });
  await writeFile(join(prefix, "pyvenv.cfg"), `home = /usr/local/bin\nversion = 3.11.7\nprompt = 'mine'\n`);
  await writeFile(join(prefix, "bin", "activate"), `VIRTUAL_ENV="${prefix}"\nexport VIRTUAL_ENV\n`);
  await writeFile(join(prefix, "bin", "tiny"), `#!${prefix}/bin/python\nimport tiny\n`, { mode: 0o755 });
  await writeFile(join(site, "tiny", "__init__.py"), "X = 1\n");
  await writeFile(join(site, "tiny", "__pycache__", "__init__.cpython-311.pyc"), "pyc");
  await utimes(join(site, "tiny", "__init__.py"), 1_700_000_000, 1_700_000_000);
  archive = join(tmp, "env.tar.gz");
  await packEnv(prefix, archive, { format: 1 });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

interface Member {
  type: string;
  linkname?: string;
  mtime: number;
  content: string;
}

async function members(layout: string, digest: string): Promise<Map<string, Member>> {
  const out = new Map<string, Member>();
  const tar = extract();
  tar.end(gunzipSync(await readBlob(layout, digest)));
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const h = entry.header;
    out.set(h.name, {
      type: h.type ?? "",
      ...(h.linkname ? { linkname: h.linkname } : {}),
      mtime: (h.mtime?.getTime() ?? 0) / 1000,
      content: Buffer.concat(chunks).toString("utf8"),
    });
  }
  return out;
}

describe("the environment layer from a packed env", () => {
  it("moves the env to the image's prefix, rewrites what named the old one, and links the base's Python", async () => {
    const layout = join(tmp, "layout-1");
    await initLayout(layout);
    const layer = await packedEnvLayer(archive, layout, { platform: amd64, python, prompt: "rt" });
    const files = await members(layout, layer.descriptor.digest);
    const at = (path: string) => files.get(`${env.slice(1)}/${path}`);
    expect(at("bin/activate")?.content).toBe(`VIRTUAL_ENV="${env}"\nexport VIRTUAL_ENV\n`);
    expect(at("bin/tiny")?.content).toBe(`#!${env}/bin/python\nimport tiny\n`);
    expect(at("bin/python")).toMatchObject({ type: "symlink", linkname: "/usr/bin/python3.11" });
    expect(at("bin/python3")).toMatchObject({ type: "symlink", linkname: "python" });
    expect(at("pyvenv.cfg")?.content).toContain("home = /usr/bin\n");
    expect(at("pyvenv.cfg")?.content).toContain("prompt = 'mine'\n");
    // Files keep their times, so the bytecode next to them stays valid.
    expect(at("lib/python3.11/site-packages/tiny/__init__.py")?.mtime).toBe(1_700_000_000);
    expect(files.get("usr/local/bin/python")?.content).toBe(`#!/bin/sh\nexec ${env}/bin/python "$@"\n`);
    expect([...files.keys()].some((name) => name.includes(".swhub-packed-env"))).toBe(false);

    const again = join(tmp, "layout-2");
    await initLayout(again);
    const second = await packedEnvLayer(archive, again, { platform: amd64, python, prompt: "rt" });
    expect(second).toEqual(layer);
  });

  it("refuses an env with binaries for another machine or for another Python, writing no blob", async () => {
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf[5] = 1;
    elf.writeUInt16LE(183, 18);
    expect(elfArchitecture(elf)).toBe("arm64");
    expect(elfArchitecture(Buffer.from("#!/bin/sh\n".padEnd(64)))).toBeUndefined();
    await writeFile(
      join(prefix, "lib", "python3.11", "site-packages", "tiny", "_speed.cpython-311-aarch64-linux-gnu.so"),
      elf,
    );
    const armArchive = join(tmp, "arm.tar.gz");
    await packEnv(prefix, armArchive, { format: 1 });

    const layout = join(tmp, "layout-3");
    await initLayout(layout);
    await expect(
      packedEnvLayer(armArchive, layout, { platform: amd64, python, prompt: "rt" }),
    ).rejects.toThrow(
      new PackedEnvUnfit(
        "the packed environment holds arm64 binaries (lib/python3.11/site-packages/tiny/_speed.cpython-311-aarch64-linux-gnu.so)",
      ),
    );
    expect(await readdir(join(layout, "blobs", "sha256"))).toEqual([]);
    const arm = await packedEnvLayer(armArchive, layout, {
      platform: { os: "linux", architecture: "arm64" },
      python,
      prompt: "rt",
    });
    expect(arm.descriptor.size).toBeGreaterThan(0);
    await expect(
      packedEnvLayer(armArchive, layout, {
        platform: amd64,
        python: { ...python, version: "3.12" },
        prompt: "rt",
      }),
    ).rejects.toThrow("the packed environment is for Python 3.11, the image has 3.12");
  });
});
