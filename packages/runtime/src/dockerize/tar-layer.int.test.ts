import { execFileSync } from "node:child_process";
import { link, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobPath, initLayout } from "../oci/layout";
import { layerFromTar } from "./tar-layer";

let tmp: string;
let archive: string;
const long = `${"deep/".repeat(30)}file.py`; // 158 characters: more than ustar's 100, split with its prefix
const longer = `${"d".repeat(120)}/${"x".repeat(140)}.txt`; // no split fits: a PAX path
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-tar-layer-"));
  const src = join(tmp, "src");
  for (const path of [long, longer, "ünïcode/ok.txt", "a/plain.txt"]) {
    await mkdir(join(src, path, ".."), { recursive: true });
    await writeFile(join(src, path), `content of ${path}\n`);
  }
  await symlink("plain.txt", join(src, "a", "link"));
  await link(join(src, "a", "plain.txt"), join(src, "a", "hard.txt"));
  archive = join(tmp, "src.tar.gz");
  // GNU tar writes its own long-name records; our reader must take them as well as PAX.
  execFileSync("tar", ["-czf", archive, "--format=gnu", "-C", src, "."]);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** `tar -tvzf` as GNU tar lists it: type, name, link target. */
function listing(file: string): string[] {
  return execFileSync("tar", ["-tvzf", file])
    .toString()
    .trim()
    .split("\n")
    .map((line) => {
      const [mode, , , , , ...rest] = line.split(/\s+/);
      return `${mode![0]} ${rest.join(" ")}`;
    })
    .sort();
}

describe("a layer from a tar archive", () => {
  it("moves every member under the prefix, long and non-ASCII names and links included, that GNU tar reads", async () => {
    const layout = join(tmp, "layout");
    await initLayout(layout);
    const layer = await layerFromTar(layout, {
      archive,
      gzip: true,
      prefix: "/opt/app",
      extra: () => [{ path: "/usr/local/bin/tool", type: "file", content: "#!/bin/sh\n", mode: 0o755 }],
    });
    const names = listing(blobPath(layout, layer.descriptor.digest));
    expect(names).toEqual(
      expect.arrayContaining([
        "d opt/",
        "d opt/app/",
        `- opt/app/${long}`,
        `- opt/app/${longer}`,
        "- opt/app/ünïcode/ok.txt",
        "l opt/app/a/link -> plain.txt",
        expect.stringMatching(/^h opt\/app\/a\/(hard|plain)\.txt link to opt\/app\/a\/(plain|hard)\.txt$/),
        "- usr/local/bin/tool",
      ]),
    );
    const extracted = join(tmp, "extracted");
    await mkdir(extracted);
    execFileSync("tar", ["-xzf", blobPath(layout, layer.descriptor.digest), "-C", extracted]);
    expect(await readFile(join(extracted, "opt/app", longer), "utf8")).toBe(`content of ${longer}\n`);
    expect(await readFile(join(extracted, "opt/app/a/hard.txt"), "utf8")).toBe("content of a/plain.txt\n");
  });

  it("fails naming the archive when it is cut short", async () => {
    const cut = join(tmp, "cut.tar");
    execFileSync("tar", ["-cf", cut, "-C", join(tmp, "src"), "."]);
    await truncate(cut, 1536);
    const layout = join(tmp, "layout-cut");
    await initLayout(layout);
    await expect(layerFromTar(layout, { archive: cut, gzip: false, prefix: "/x" })).rejects.toThrow(
      `${cut} is corrupt or truncated: it ends inside a member`,
    );
  });
});
