import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWheel, createVenv, pipInstall, pythonInfo } from "../testing/python";
import { packEnv, unpackEnv } from "./packed-env";
import { listBundle } from "./read";
import { craftTar, makeTempDir } from "./testing/craft-tar";

let py: string;
let work: string;
let wheels: string;
/** A venv (with pip) holding two packages, a console script, a .pth file and a package installed from a path
 * inside the venv (so its direct_url.json names the venv). */
let template: string;

beforeAll(async () => {
  py = (await pythonInfo()).version.split(".").slice(0, 2).join(".");
  work = makeTempDir("packed-env");
  wheels = join(work, "wheels");
  await buildWheel(wheels, {
    name: "tinyrelo",
    version: "1.0",
    modules: { "tinyrelo/__init__.py": "def main():\n    print('hello from tinyrelo')\n" },
    scripts: { "tinyrelo-hello": "tinyrelo:main" },
  });
  await buildWheel(wheels, { name: "tinydep", version: "2.0", modules: { "tinydep.py": "VALUE = 42\n" } });
  const local = await buildWheel(work, {
    name: "tinylocal",
    version: "0.1",
    modules: { "tinylocal.py": "X = 1\n" },
  });

  template = await createVenv(join(work, "template"));
  await pipInstall(template, ["tinyrelo", "tinydep"], { findLinks: wheels });
  mkdirSync(join(template, "share/wheels"), { recursive: true });
  const inside = join(template, "share/wheels", "tinylocal-0.1-py3-none-any.whl");
  cpSync(local, inside);
  await pipInstall(template, [inside]);
  mkdirSync(join(template, "extra"));
  writeFileSync(join(template, "extra/extramod.py"), "WHERE = 'extra'\n");
  writeFileSync(join(template, `lib/python${py}/site-packages/extra.pth`), `${join(template, "extra")}\n`);
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A fresh copy of the template venv at `prefix` (a venv made in place, then the template's files over it). */
function venvAt(prefix: string): string {
  execFileSync("cp", ["-a", template, prefix]);
  // The copy still names the template's path; make it a venv that truly lives at `prefix`.
  execFileSync("grep", ["-rlI", template, prefix])
    .toString()
    .trim()
    .split("\n")
    .filter(Boolean)
    .forEach((file) => {
      writeFileSync(file, readFileSync(file, "utf8").replaceAll(template, prefix));
    });
  return prefix;
}

function pyenvInterpreters(version: string): string[][] {
  const root = process.env.PYENV_ROOT;
  if (!root || !existsSync(join(root, "versions"))) return [];
  return readdirSync(join(root, "versions"))
    .filter((dir) => dir.startsWith(`${version}.`))
    .map((dir) => [version, join(root, "versions", dir, "bin", `python${version}`)]);
}

const run = (file: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(file, args, { env, encoding: "utf8" }).trim();

describe("packEnv + unpackEnv", () => {
  it("restores a venv at another path, where its packages, scripts and .pth files work", async () => {
    const original = venvAt(join(work, "orig"));
    const archive = join(work, "venv_env.tar.gz");
    const packed = await packEnv(original, archive);
    expect(packed).toMatchObject({ path: archive, python: py });
    // The original must not be what makes the restored env work.
    renameSync(original, join(work, "orig-gone"));

    const prefix = join(work, "moved here", "env");
    const restored = await unpackEnv(archive, prefix);
    expect(restored).toMatchObject({ prefix, python: py });

    const probe =
      "import sys, tinyrelo, tinydep, tinylocal, extramod; print(sys.prefix, tinydep.VALUE, extramod.WHERE)";
    expect(run(join(prefix, "bin/python"), ["-c", probe])).toBe(`${prefix} 42 extra`);
    expect(run(join(prefix, "bin/tinyrelo-hello"))).toBe("hello from tinyrelo");
    expect(run(join(prefix, "bin/pip"), ["--version"])).toContain(
      `from ${prefix}/lib/python${py}/site-packages/pip`,
    );
    expect(
      run("bash", ["-c", `source "${prefix}/bin/activate" && echo "$VIRTUAL_ENV" && command -v python`]),
    ).toBe(`${prefix}\n${prefix}/bin/python`);
    const directUrl = readFileSync(
      join(prefix, `lib/python${py}/site-packages/tinylocal-0.1.dist-info/direct_url.json`),
      "utf8",
    );
    expect(directUrl).toContain(
      `"file://${prefix.replace(" ", "%20")}/share/wheels/tinylocal-0.1-py3-none-any.whl"`,
    );
    const cfg = readFileSync(join(prefix, "pyvenv.cfg"), "utf8");
    expect(cfg).toContain(`version = ${py}.`);
    expect(cfg).toContain("include-system-site-packages = false");
    expect(readdirSync(join(work, "moved here"))).toEqual(["env"]);
  }, 60_000);

  it("packs reproducibly, without the interpreter links", async () => {
    const original = venvAt(join(work, "repro"));
    const a = await packEnv(original, join(work, "a.tar.gz"));
    const b = await packEnv(original, join(work, "b.tar.gz"));
    expect(b.digest).toBe(a.digest);
    expect(readFileSync(join(work, "a.tar.gz")).equals(readFileSync(join(work, "b.tar.gz")))).toBe(true);
    const env = "opt/starwhale.user/runtime/export/venv";
    const members = await listBundle(join(work, "a.tar.gz"));
    const names = members.map((m) => m.path);
    // An image layer: the parents, then the metadata, then the venv under the image's env prefix.
    expect(names.slice(0, 6)).toEqual([
      "opt",
      "opt/starwhale.user",
      "opt/starwhale.user/runtime",
      "opt/starwhale.user/runtime/export",
      env,
      `${env}/.swhub-packed-env.json`,
    ]);
    expect(names).toContain(`${env}/bin/tinyrelo-hello`);
    expect(names.filter((n) => n.startsWith(`${env}/bin/python`))).toEqual([]);
    expect(a.layer).toMatchObject({ digest: a.digest, prefix: `/${env}`, python: py, architectures: [] });
    // GNU tar reads it too.
    expect(run("tar", ["tzf", join(work, "a.tar.gz")]).split("\n")).toContain(`${env}/bin/activate`);
    // Already relocated to the image's prefix.
    expect(run("tar", ["xzOf", join(work, "a.tar.gz"), `${env}/bin/tinyrelo-hello`])).toMatch(
      new RegExp(`^#!/${env}/bin/python`),
    );
  });

  it("restores a format 1 archive (bundles built before image-ready layers)", async () => {
    const archive = join(work, "format1.tar.gz");
    const packed = await packEnv(venvAt(join(work, "format1-src")), archive, { format: 1 });
    expect(packed.layer).toBeUndefined();
    expect((await listBundle(archive))[0]?.path).toBe(".swhub-packed-env.json");
    const prefix = join(work, "format1-dst");
    await unpackEnv(archive, prefix);
    expect(run(join(prefix, "bin/python"), ["-c", "import tinydep; print(tinydep.VALUE)"])).toBe("42");
    expect(run(join(prefix, "bin/tinyrelo-hello"))).toBe("hello from tinyrelo");
  }, 60_000);

  it("says clearly when the Python it needs is not installed, and leaves nothing behind", async () => {
    const original = venvAt(join(work, "future"));
    const cfg = join(original, "pyvenv.cfg");
    writeFileSync(cfg, readFileSync(cfg, "utf8").replace(/^version = .*$/m, "version = 3.99.1"));
    await packEnv(original, join(work, "future.tar.gz"));
    await expect(unpackEnv(join(work, "future.tar.gz"), join(work, "future-restored"))).rejects.toMatchObject(
      {
        code: "not_found",
        message: "Python 3.99 is not installed: the packed environment needs python3.99",
      },
    );
    expect(readdirSync(work).filter((n) => n.includes("future-restored"))).toEqual([]);
  });

  // Another Python X.Y, on PATH or installed by pyenv, if this machine has one.
  const otherPython = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
    .filter((v) => v !== py)
    .flatMap((v) => [[v, `python${v}`], ...pyenvInterpreters(v)])
    .find(([, bin]) => spawnSync(bin!, ["-c", "pass"]).status === 0);
  it.skipIf(!otherPython)("refuses an interpreter of another Python version", async () => {
    const [version, bin] = otherPython!;
    const archive = join(work, "other.tar.gz");
    await packEnv(venvAt(join(work, "other-src")), archive);
    await expect(unpackEnv(archive, join(work, "other-dst"), { python: bin })).rejects.toMatchObject({
      code: "invalid_input",
      message: `${bin} is Python ${version}, but the packed environment needs ${py}`,
    });
    expect(existsSync(join(work, "other-dst"))).toBe(false);
  });

  it("keeps an existing target unless forced", async () => {
    const archive = join(work, "force.tar.gz");
    await packEnv(venvAt(join(work, "force-src")), archive);
    const prefix = join(work, "force-dst");
    mkdirSync(prefix);
    writeFileSync(join(prefix, "keep"), "");
    await expect(unpackEnv(archive, prefix)).rejects.toMatchObject({ code: "conflict" });
    expect(readdirSync(prefix)).toEqual(["keep"]);
    await unpackEnv(archive, prefix, { force: true });
    expect(existsSync(join(prefix, "keep"))).toBe(false);
    expect(run(join(prefix, "bin/tinyrelo-hello"))).toBe("hello from tinyrelo");
    expect(run(join(prefix, "bin/pip"), ["--version"])).toContain(
      `from ${prefix}/lib/python${py}/site-packages/pip`,
    );
  });

  it("refuses to pack a venv that links outside itself", async () => {
    const original = venvAt(join(work, "leaky"));
    symlinkSync("/etc", join(original, `lib/python${py}/site-packages/etc`));
    await expect(packEnv(original, join(work, "leaky.tar.gz"))).rejects.toMatchObject({
      code: "invalid_input",
      hint: expect.stringContaining("self-contained"),
    });
    expect(existsSync(join(work, "leaky.tar.gz"))).toBe(false);
  });

  it("refuses what is not a venv", async () => {
    await expect(packEnv(wheels, join(work, "x.tar.gz"))).rejects.toThrow(`${wheels} is not a virtualenv`);
  });

  it("refuses a hostile archive before writing outside the target", async () => {
    const meta = JSON.stringify({ format: 1, prefixes: ["/old"], python: py, systemSitePackages: false });
    const archive = join(work, "hostile.tar.gz");
    writeFileSync(
      archive,
      gzipSync(
        craftTar([
          { name: ".swhub-packed-env.json", data: meta },
          { name: "bin/", type: "5" },
          { name: "../../escaped.txt", data: "pwned" },
        ]),
      ),
    );
    await expect(unpackEnv(archive, join(work, "hostile", "env"))).rejects.toThrow(
      'is unsafe to unpack: member "../../escaped.txt" climbs out',
    );
    expect(existsSync(join(work, "escaped.txt"))).toBe(false);
    expect(existsSync(join(work, "hostile", "env"))).toBe(false);
  });
});
