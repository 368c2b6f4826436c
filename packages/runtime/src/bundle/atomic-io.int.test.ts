import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sweepStaleTemps } from "../fs/atomic";
import { makeTempDir } from "./testing/craft-tar";

/*
 * A pack or extract that fails or is killed half way must leave neither a partial result nor a temporary file.
 * Each case runs in its own process: on a real 256 KB tmpfs (in a private mount namespace, gone when it exits),
 * under a file size limit, or killed with SIGKILL.
 */

const script = `
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { packBundle } from ${JSON.stringify(join(import.meta.dirname, "pack.ts"))};
import { extractBundle } from ${JSON.stringify(join(import.meta.dirname, "extract.ts"))};
const [op, from, to] = process.argv.slice(1);
let error;
try {
  if (op === "pack") await packBundle(to, { dir: from });
  else await extractBundle(from, to);
} catch (e) { error = { code: e.code, message: e.message }; }
console.log(JSON.stringify({ error, left: readdirSync(dirname(to)) }));
`;

let work: string;
let source: string;
beforeEach(() => {
  work = makeTempDir("pack-atomic");
  source = join(work, "snapshot");
  mkdirSync(join(source, "wheels"), { recursive: true });
  writeFileSync(join(source, "_manifest.yaml"), "version: x\n");
  writeFileSync(join(source, "wheels/big.whl"), Buffer.alloc(1 << 20, 7));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const node = [process.execPath, "--import", "tsx", "--input-type=module", "-e", script];
const canMount = spawnSync("unshare", ["-m", "mount", "-t", "tmpfs", "tmpfs", "/mnt"]).status === 0;

describe("an interrupted or failed pack or extract", () => {
  it.skipIf(!canMount)("packing onto a full disk leaves nothing behind", () => {
    const mnt = join(work, "tiny");
    mkdirSync(mnt);
    const shell = `mount -t tmpfs -o size=256k tmpfs "$0" && exec "$@"`;
    const out = execFileSync(
      "unshare",
      ["-m", "sh", "-c", shell, mnt, ...node, "pack", source, join(mnt, "v.swrt")],
      {
        encoding: "utf8",
      },
    );
    expect(JSON.parse(out)).toEqual({
      error: { code: "internal", message: `not enough disk space to write ${join(mnt, "v.swrt")}` },
      left: [],
    });
  });

  it.skipIf(!canMount)("extracting onto a full disk leaves nothing behind", async () => {
    const bundle = join(work, "v.swrt");
    const { packBundle } = await import("./pack");
    await packBundle(bundle, { dir: source });
    const mnt = join(work, "tiny");
    mkdirSync(mnt);
    const shell = `mount -t tmpfs -o size=256k tmpfs "$0" && exec "$@"`;
    const target = join(mnt, "snapshot");
    const out = execFileSync("unshare", ["-m", "sh", "-c", shell, mnt, ...node, "extract", bundle, target], {
      encoding: "utf8",
    });
    const { error, left } = JSON.parse(out);
    expect(error).toMatchObject({
      code: "internal",
      message: expect.stringContaining("not enough disk space to unpack"),
    });
    expect(left).toEqual([]);
  });

  it("over the file size limit leaves nothing behind", () => {
    const outDir = join(work, "out");
    mkdirSync(outDir);
    // With SIGXFSZ ignored, a write past `ulimit -f` (512-byte blocks in sh) fails with EFBIG instead of killing us.
    const shell = `trap "" XFSZ; ulimit -f 256; exec "$@"`;
    const out = execFileSync("sh", ["-c", shell, "sh", ...node, "pack", source, join(outDir, "v.swrt")], {
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({
      error: { code: "internal", message: `${join(outDir, "v.swrt")} would exceed the file size limit` },
      left: [],
    });
  });

  it("killed half way leaves no .swrt, and its temporary file is swept", async () => {
    writeFileSync(join(source, "wheels/bigger.whl"), Buffer.alloc(96 << 20, 1));
    const outDir = join(work, "out");
    mkdirSync(outDir);
    const child = spawn(node[0]!, [...node.slice(1), "pack", source, join(outDir, "v.swrt")], {
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let killed = false;
    while (!killed && child.exitCode === null) {
      if (readdirSync(outDir).some((name) => name.includes(".swtmp-"))) killed = child.kill("SIGKILL");
      else await new Promise((r) => setTimeout(r, 2));
    }
    await exited;
    expect(killed, "the pack finished before it could be interrupted").toBe(true);
    expect(existsSync(join(outDir, "v.swrt"))).toBe(false);
    expect(await sweepStaleTemps(outDir)).toEqual([
      expect.stringMatching(/^\.v\.swrt\.swtmp-\d+-[0-9a-f]+$/),
    ]);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
