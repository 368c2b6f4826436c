import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { describe, expect, it } from "vitest";
import type { ImageConfig } from "../oci/types";
import { pythonsFromConfig, scanBaseFilesystem, selectPython } from "./base-python";

type Entry = [name: string, type: "file" | "directory" | "symlink", linkname?: string];

/** A gzipped layer tar with these entries (files are empty). */
async function layer(entries: Entry[]): Promise<Buffer> {
  const tar = pack();
  for (const [name, type, linkname] of entries) {
    tar.entry({ name, type, ...(linkname ? { linkname } : {}) }, Buffer.alloc(0));
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function scan(...layers: Entry[][]) {
  const blobs = await Promise.all(layers.map(layer));
  const descriptors = blobs.map((_, i) => ({
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: `sha256:${String(i).padStart(64, "0")}`,
    size: 0,
  }));
  return scanBaseFilesystem(descriptors, async (d) => Readable.from([blobs[descriptors.indexOf(d)]!]));
}

const debianLike: Entry[] = [
  ["bin", "symlink", "usr/bin"],
  ["usr/", "directory"],
  ["usr/bin/", "directory"],
  ["usr/bin/busybox", "file"],
  ["usr/bin/sh", "symlink", "busybox"],
  ["usr/bin/python3.11", "file"],
  ["usr/bin/python3", "symlink", "python3.11"],
];

describe("the base image's Python, from its layers", () => {
  it("finds interpreters through symlinked directories, and /bin/sh", async () => {
    expect(await scan(debianLike)).toEqual({
      pythons: [{ version: "3.11", path: "/usr/bin/python3.11" }],
      shell: true,
    });
  });

  it("prefers /usr/local/bin, resolves links to the real file, and sees upper layers over lower ones", async () => {
    const facts = await scan(debianLike, [
      ["usr/local/bin/python3.12", "symlink", "../lib/py/bin/python3.12"],
      ["usr/local/lib/py/bin/python3.12", "file"],
      ["usr/local/bin/python3.11", "file"],
      ["usr/local/bin/python3.10", "symlink", "/nowhere/python3.10"],
    ]);
    expect(facts.pythons).toEqual([
      { version: "3.11", path: "/usr/local/bin/python3.11" },
      { version: "3.12", path: "/usr/local/lib/py/bin/python3.12" },
    ]);
  });

  it("applies whiteouts and opaque directories of upper layers", async () => {
    const removed = await scan(debianLike, [["usr/bin/.wh.python3.11", "file"]]);
    expect(removed.pythons).toEqual([]);
    const opaque = await scan(debianLike, [
      ["usr/bin/.wh..wh..opq", "file"],
      ["usr/bin/python3.9", "file"],
    ]);
    expect(opaque).toEqual({ pythons: [{ version: "3.9", path: "/usr/bin/python3.9" }], shell: false });
  });

  it("fails naming what the image has when it cannot serve the runtime's Python", async () => {
    const facts = await scan(debianLike);
    expect(selectPython(facts, "filesystem", "3.11", "b:1")).toEqual({
      version: "3.11",
      path: "/usr/bin/python3.11",
      shell: true,
      via: "filesystem",
    });
    expect(() => selectPython(facts, "filesystem", "3.10", "b:1")).toThrow(
      "the base image b:1 cannot serve this runtime: it needs Python 3.10, and the image has Python 3.11",
    );
    expect(() => selectPython({ pythons: [], shell: true }, "filesystem", "3.10", "b:1")).toThrow(
      /and the image has no Python$/,
    );
  });
});

describe("the base image's Python, from its config", () => {
  const config = (inner: ImageConfig["config"]): ImageConfig => ({
    architecture: "amd64",
    os: "linux",
    config: inner,
    rootfs: { type: "layers", diff_ids: [] },
  });

  it("reads the official images' PYTHON_VERSION, the swhub.python label, and an explicit setting first", () => {
    const official = config({ Env: ["PATH=/usr/local/bin:/usr/bin", "PYTHON_VERSION=3.12.1"] });
    expect(pythonsFromConfig(official)).toEqual({
      facts: { pythons: [{ version: "3.12", path: "/usr/local/bin/python3.12" }], shell: true },
      via: "env",
    });
    const labelled = config({
      Labels: { "swhub.python": "/opt/py/bin/python3.10 /usr/bin/python3.11" },
      Env: official.config!.Env!,
    });
    expect(pythonsFromConfig(labelled)?.via).toBe("label");
    expect(pythonsFromConfig(labelled)?.facts.pythons.map((p) => p.version)).toEqual(["3.10", "3.11"]);
    const named = pythonsFromConfig(official, "/opt/python");
    expect(named?.via).toBe("setting");
    expect(selectPython(named!.facts, named!.via, "3.9", "b")).toMatchObject({
      path: "/opt/python",
      version: "3.9",
    });
    expect(pythonsFromConfig(config({ Env: ["PATH=/bin"] }))).toBeUndefined();
  });
});
