import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix, resolve } from "node:path";
import { promisify } from "node:util";
import { buildImage } from "../oci/image";
import { createLayer, type LayerEntry } from "../oci/layer";
import { findLayoutImage, initLayout, tagLayoutImages } from "../oci/layout";
import type { Descriptor } from "../oci/types";

const run = promisify(execFile);

export interface PythonBaseImage {
  /** An OCI layout holding the image under the tag `python`. */
  layoutDir: string;
  tag: string;
  descriptor: Descriptor;
  /** How long this call took, and whether it found the image already built. */
  millis: number;
  cached: boolean;
}

const pythonBinary = "/usr/bin/python3.11";
const pythonLib = "/usr/lib/python3.11";
const busybox = "/bin/busybox";
const tag = "python";

/**
 * A minimal linux/amd64 base image built offline from this machine: busybox (Debian's busybox-static) and
 * the machine's Python 3.11 with the shared libraries `ldd` names, so `chroot ROOTFS /usr/bin/python3`
 * works after `umoci unpack`. Built once per set of inputs (the binaries and our layer/image code) into a
 * cache under the temp dir, then hard-linked into `dir` when one is given.
 */
export async function buildPythonBaseImage(dir?: string): Promise<PythonBaseImage> {
  const started = Date.now();
  const cacheDir = join(tmpdir(), "swhub-oci-cache", `python-base-${await cacheKey()}`);
  let cached = true;
  try {
    await stat(join(cacheDir, "index.json"));
  } catch {
    cached = false;
    await buildInto(cacheDir);
  }
  const layoutDir = dir ?? cacheDir;
  if (dir) await linkLayout(cacheDir, dir);
  return {
    layoutDir,
    tag,
    descriptor: await findLayoutImage(layoutDir, tag),
    millis: Date.now() - started,
    cached,
  };
}

async function buildInto(cacheDir: string) {
  // Build next to the cache entry, then rename: concurrent test files never see a half-built layout.
  const work = `${cacheDir}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await initLayout(work);
    const busyboxLayer = await createLayer(work, { from: { entries: await busyboxEntries() } });
    const pythonLayer = await createLayer(work, { from: { entries: await pythonEntries() } });
    const image = await buildImage(work, {
      platform: { os: "linux", architecture: "amd64" },
      layers: [
        { layer: busyboxLayer, createdBy: "busybox-static from the build machine" },
        { layer: pythonLayer, createdBy: "python3.11 and its shared libraries from the build machine" },
      ],
      settings: {
        env: { PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", LANG: "C.UTF-8" },
        cmd: ["/bin/sh"],
        labels: { "org.opencontainers.image.title": "swhub test python base" },
      },
    });
    await tagLayoutImages(work, [{ descriptor: image.descriptor, tag }]);
    await mkdir(dirname(cacheDir), { recursive: true });
    await rename(work, cacheDir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first; its result is identical.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function busyboxEntries(): Promise<LayerEntry[]> {
  const { stdout } = await run(busybox, ["--list"]);
  const applets = stdout.split("\n").filter((a) => a && a !== "busybox" && !a.includes("/"));
  return [
    { path: "bin", type: "symlink", target: "usr/bin" },
    { path: "sbin", type: "symlink", target: "usr/sbin" },
    { path: "lib", type: "symlink", target: "usr/lib" },
    { path: "lib64", type: "symlink", target: "usr/lib64" },
    { path: "usr/sbin", type: "directory" },
    { path: "usr/lib64", type: "directory" },
    { path: "usr/bin/busybox", type: "file", source: busybox, mode: 0o755 },
    ...applets.map((a): LayerEntry => ({ path: `usr/bin/${a}`, type: "symlink", target: "busybox" })),
    { path: "tmp", type: "directory", mode: 0o1777 },
    { path: "root", type: "directory", mode: 0o700 },
    ...["dev", "proc", "sys", "etc"].map((d): LayerEntry => ({ path: d, type: "directory" })),
    { path: "etc/passwd", type: "file", content: "root:x:0:0:root:/root:/bin/sh\n" },
    { path: "etc/group", type: "file", content: "root:x:0:\n" },
  ];
}

async function pythonEntries(): Promise<LayerEntry[]> {
  const entries = new Map<string, LayerEntry>();
  await addHostPath(entries, pythonBinary);
  entries.set("usr/bin/python3", { path: "usr/bin/python3", type: "symlink", target: "python3.11" });
  entries.set("usr/bin/python", { path: "usr/bin/python", type: "symlink", target: "python3.11" });

  const sharedObjects = [pythonBinary];
  async function walk(dir: string) {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      if (name === "__pycache__" || path === join(pythonLib, "test")) continue;
      const info = await lstat(path);
      if (info.isDirectory()) await walk(path);
      else {
        await addHostPath(entries, path);
        if (name.endsWith(".so")) sharedObjects.push(path);
      }
    }
  }
  await walk(pythonLib);
  for (const library of await sharedLibraries(sharedObjects)) await addHostPath(entries, library);
  return [...entries.values()];
}

/** Every library `ldd` names for these binaries, plus the dynamic loader. */
async function sharedLibraries(binaries: string[]): Promise<string[]> {
  const libraries = new Set<string>();
  for (const binary of binaries) {
    const { stdout } = await run("ldd", [binary]).catch(() => ({ stdout: "" }));
    for (const line of stdout.split("\n")) {
      const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (match) libraries.add(match[1]!);
    }
  }
  return [...libraries].sort();
}

/**
 * Adds a host file at the same path in the image. Its directory is canonicalised (the image has
 * /lib → usr/lib like Debian), and symlinks are kept as links, with their targets added too.
 */
async function addHostPath(entries: Map<string, LayerEntry>, hostPath: string, depth = 0): Promise<void> {
  if (depth > 10) return;
  const dir = await realpath(dirname(hostPath)).catch(() => undefined);
  if (!dir) return;
  const path = join(dir, basename(hostPath));
  const inImage = path.replace(/^\/+/, "");
  if (entries.has(inImage)) return;
  const info = await lstat(path).catch(() => undefined);
  if (!info) return;
  if (info.isSymbolicLink()) {
    const target = await readlink(path);
    entries.set(inImage, { path: inImage, type: "symlink", target });
    await addHostPath(entries, posix.isAbsolute(target) ? target : resolve(dir, target), depth + 1);
  } else if (info.isFile()) {
    entries.set(inImage, { path: inImage, type: "file", source: path });
  }
}

/** Blobs are immutable and named by digest, so hard links are a safe, instant copy. */
async function linkLayout(from: string, to: string) {
  await initLayout(to);
  for (const name of await readdir(join(from, "blobs", "sha256"))) {
    await link(join(from, "blobs", "sha256", name), join(to, "blobs", "sha256", name)).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EXDEV")
          return copyFile(join(from, "blobs", "sha256", name), join(to, "blobs", "sha256", name));
        if (error.code !== "EEXIST") throw error;
      },
    );
  }
  await copyFile(join(from, "index.json"), join(to, "index.json"));
}

/** Changes to the inputs or to the code that writes layers give a new cache entry. */
async function cacheKey(): Promise<string> {
  const hash = createHash("sha256");
  for (const path of [pythonBinary, busybox]) {
    const info = await stat(path);
    hash.update(`${path}:${info.size}:${info.mtimeMs}\n`);
  }
  const here = dirname(new URL(import.meta.url).pathname);
  for (const file of [
    "base-image.ts",
    "../oci/layer.ts",
    "../oci/image.ts",
    "../oci/layout.ts",
    "../oci/tar.ts",
  ]) {
    hash.update(await readFile(join(here, file)));
  }
  return hash.digest("hex").slice(0, 16);
}
