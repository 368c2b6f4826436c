// Reading installed distributions from hand-made site-packages directories (no Python needed).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDistributions } from "./check";
import { readDistributions } from "./distributions";
import { freezeDistributions, renderRequirementsLock } from "./freeze";
import { markerEnvironment } from "./markers";

let tmp: string;
const host = {
  machine: "x86_64",
  system: "Linux",
  release: "6.1.0",
  version: "#1",
  platform: "linux" as const,
};

async function files(root: string, tree: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const meta = (name: string, version: string, ...extra: string[]) =>
  [`Metadata-Version: 2.1`, `Name: ${name}`, `Version: ${version}`, ...extra, ""].join("\n");

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-dists-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("readDistributions", () => {
  it("reads dist-info, egg-info directories and distutils egg-info files", async () => {
    const site = await files(join(tmp, "site1"), {
      "a_pkg-1.0.dist-info/METADATA": meta("A.Pkg", "1.0", "Requires-Dist: b>=1"),
      "a_pkg-1.0.dist-info/INSTALLER": "\npip\n",
      "b-2.0-py3.11.egg-info/PKG-INFO": meta("b", "2.0"),
      "b-2.0-py3.11.egg-info/requires.txt": "c\n[test]\npytest\n",
      "c-0.5-py3.11.egg-info": meta("c", "0.5"),
      "not-metadata.txt": "",
    });
    const dists = await readDistributions([site]);
    const byName = Object.fromEntries(dists.map((d) => [d.canonicalName, d]));
    expect(Object.keys(byName).sort()).toEqual(["a-pkg", "b", "c"]);
    expect(byName["a-pkg"]).toMatchObject({
      name: "A.Pkg",
      version: "1.0",
      requires: ["b>=1"],
      installer: "pip",
      format: "dist-info",
    });
    expect(byName.b).toMatchObject({
      format: "egg-info",
      requires: ["c", 'pytest ; extra == "test"'],
      installer: "",
    });
    expect(byName.c).toMatchObject({ format: "egg-info-file", version: "0.5", location: site });
  });

  it("lets the first sys.path entry win and skips invalid leftovers", async () => {
    const first = await files(join(tmp, "first"), { "dup-1.0.dist-info/METADATA": meta("dup", "1.0") });
    const second = await files(join(tmp, "second"), {
      "dup-2.0.dist-info/METADATA": meta("Dup", "2.0"),
      "~ip-23.0.dist-info/METADATA": meta("~ip", "23.0"),
      "noname-1.0.dist-info/METADATA": "Version: 1.0\n",
    });
    const dists = await readDistributions([first, join(tmp, "missing"), second]);
    expect(dists.map((d) => `${d.name}==${d.version}`)).toEqual(["dup==1.0"]);
  });

  it("marks editables from direct_url.json and from .egg-link files", async () => {
    const project = await files(join(tmp, "legacy-project"), {
      "Legacy_Dev.egg-info/PKG-INFO": meta("Legacy-Dev", "0.3"),
    });
    const site = await files(join(tmp, "site2"), {
      "ed-0.1.dist-info/METADATA": meta("ed", "0.1"),
      "ed-0.1.dist-info/direct_url.json": '{"url": "file:///src/ed", "dir_info": {"editable": true}}',
      "Legacy-Dev.egg-link": `${project}\n.`,
      "arch-1.0.dist-info/METADATA": meta("arch", "1.0"),
      "arch-1.0.dist-info/direct_url.json":
        '{"url": "file:///w/arch-1.0-py3-none-any.whl", "archive_info": {}}',
      "bad-1.0.dist-info/METADATA": meta("bad", "1.0"),
      "bad-1.0.dist-info/direct_url.json": "{broken",
    });
    const dists = await readDistributions([site]);
    const byName = Object.fromEntries(dists.map((d) => [d.canonicalName, d]));
    expect(byName.ed?.editableLocation).toBe("/src/ed");
    expect(byName["legacy-dev"]).toMatchObject({ editableLocation: project, location: project });
    expect(byName.arch?.editableLocation).toBeUndefined();
    expect(byName.bad?.directUrl).toBeUndefined();
    const lines = await freezeDistributions(dists, { pythonVersion: "3.11.4" });
    expect(lines).toEqual([
      "arch @ file:///w/arch-1.0-py3-none-any.whl",
      "bad==1.0",
      "# Editable install with no version control (ed==0.1)",
      "-e /src/ed",
      "# Editable install with no version control (Legacy-Dev==0.3)",
      `-e ${project}`,
    ]);
  });
});

describe("freezeDistributions", () => {
  it("hides setuptools and wheel before Python 3.12 only, pip always, and prints odd versions with ===", async () => {
    const site = await files(join(tmp, "site3"), {
      "pip-24.0.dist-info/METADATA": meta("pip", "24.0"),
      "setuptools-69.0.dist-info/METADATA": meta("setuptools", "69.0"),
      "wheel-0.42.0.dist-info/METADATA": meta("wheel", "0.42.0"),
      "odd-1.dist-info/METADATA": meta("odd", "2013-dev-build"),
      "Zed-1.dist-info/METADATA": meta("Zed", "1.0.0-Alpha"),
      "apple-1.dist-info/METADATA": meta("apple", "1"),
    });
    const dists = await readDistributions([site]);
    expect(await freezeDistributions(dists, { pythonVersion: "3.11.9" })).toEqual([
      "apple==1",
      "odd===2013-dev-build",
      "Zed==1.0.0a0",
    ]);
    expect(await freezeDistributions(dists, { pythonVersion: "3.12.1" })).toEqual([
      "apple==1",
      "odd===2013-dev-build",
      "setuptools==69.0",
      "wheel==0.42.0",
      "Zed==1.0.0a0",
    ]);
  });
});

describe("renderRequirementsLock", () => {
  it("writes Starwhale's header, drops local wheels and has no trailing newline", () => {
    const freeze = [
      "a==1",
      "b @ file:///w/b-1.0-py3-none-any.whl",
      "c @ file:///w/c-1.0-py3-none-any.whl#sha256=00",
      "d @ file:///src/d",
    ];
    expect(renderRequirementsLock(freeze, { generator: "0.6.15" })).toBe(
      "# Generated by Starwhale(0.6.15) Runtime Lock\na==1\nd @ file:///src/d",
    );
    expect(
      renderRequirementsLock([], { generator: "1.0", pipOptions: ["--index-url https://x/simple"] }),
    ).toBe("# Generated by Starwhale(1.0) Runtime Lock\n--index-url https://x/simple");
  });
});

describe("checkDistributions", () => {
  it("reports in pip's order: all missing first, each package's findings sorted", async () => {
    const site = await files(join(tmp, "site4"), {
      "z-1.0.dist-info/METADATA": meta(
        "z",
        "1.0",
        "Requires-Dist: m2",
        "Requires-Dist: a<1",
        "Requires-Dist: m1",
      ),
      "a-2.0.dist-info/METADATA": meta(
        "a",
        "2.0",
        "Requires-Dist: m3; sys_platform == 'linux'",
        "Requires-Dist: m4; sys_platform == 'win32'",
      ),
      "legacy-1.dist-info/METADATA": meta("legacy", "not.a.version"),
      "user-1.dist-info/METADATA": meta("user", "1.0", "Requires-Dist: legacy>=1", "Requires-Dist: legacy"),
    });
    const dists = await readDistributions([site]);
    const order = dists.map((d) => d.canonicalName);
    const result = checkDistributions(dists, markerEnvironment("3.11.7", host));
    const expectedByPackage: Record<string, string[]> = {
      z: ["z 1.0 requires m1, which is not installed.", "z 1.0 requires m2, which is not installed."],
      a: ["a 2.0 requires m3, which is not installed."],
    };
    const missing = order.flatMap((name) => expectedByPackage[name] ?? []);
    expect(result.output.split("\n").filter(Boolean)).toEqual([
      ...missing,
      ...(order.indexOf("z") < order.indexOf("user")
        ? [
            "z 1.0 has requirement a<1, but you have a 2.0.",
            "user 1.0 has requirement legacy>=1, but you have legacy not.a.version.",
          ]
        : [
            "user 1.0 has requirement legacy>=1, but you have legacy not.a.version.",
            "z 1.0 has requirement a<1, but you have a 2.0.",
          ]),
    ]);
    expect(result.ok).toBe(false);
  });
});
