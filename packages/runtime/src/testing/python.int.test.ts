// The Python test helpers must produce real artifacts: every other test trusts them.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildWheel, createVenv, makeTempDir, pipInstall, pythonInfo, runCommand, runPip } from "./python";

let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir("helpers");
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("buildWheel", () => {
  it("writes a wheel whose RECORD hashes and sizes match its files", async () => {
    const wheel = await buildWheel(join(tmp, "w"), {
      name: "Check.Me",
      version: "1.2",
      requires: ["dep>=1"],
      scripts: { "check-me": "check_me:main" },
    });
    expect(wheel.endsWith("Check_Me-1.2-py3-none-any.whl")).toBe(true);
    const script = [
      "import base64, hashlib, sys, zipfile",
      "zf = zipfile.ZipFile(sys.argv[1])",
      "record = [n for n in zf.namelist() if n.endswith('.dist-info/RECORD')][0]",
      "for line in zf.read(record).decode().splitlines():",
      "    path, digest, size = line.rsplit(',', 2)",
      "    if path == record: continue",
      "    data = zf.read(path)",
      "    algo, value = digest.split('=', 1)",
      "    assert base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b'=').decode() == value, path",
      "    assert int(size) == len(data), path",
      "print(sorted(zf.namelist()))",
    ].join("\n");
    const { executable } = await pythonInfo();
    const result = await runCommand(executable, ["-c", script, wheel]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Check_Me-1.2.dist-info/entry_points.txt");
  });
});

describe("createVenv", () => {
  it("gives each venv its own prefix, with no trace of the template's path", async () => {
    const a = await createVenv(join(tmp, "a"));
    const b = await createVenv(join(tmp, "b"));
    for (const venv of [a, b]) {
      const result = await runCommand(join(venv, "bin", "python"), ["-c", "import sys; print(sys.prefix)"]);
      expect(result.stdout.trim()).toBe(venv);
      expect(await readFile(join(venv, "bin", "activate"), "utf8")).toContain(`VIRTUAL_ENV="${venv}"`);
      expect(await readFile(join(venv, "bin", "pip"), "utf8")).toMatch(new RegExp(`^#!${venv}/bin/python`));
    }
    const wheels = join(tmp, "wa");
    await buildWheel(wheels, { name: "only-in-a", version: "1.0" });
    await pipInstall(a, ["only-in-a"], { findLinks: wheels });
    expect((await runPip(a, ["freeze"])).stdout).toBe("only-in-a==1.0\n");
    expect((await runPip(b, ["freeze"])).stdout).toBe("");
  });

  it("refuses to overwrite an existing directory", async () => {
    await expect(createVenv(tmp)).rejects.toThrow(/already exists/);
  });
});

describe("pipInstall", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("ignores the machine's pip settings and never reaches an index", async () => {
    const ours = join(tmp, "ours");
    const machine = join(tmp, "machine");
    await buildWheel(ours, { name: "isolated", version: "1.0" });
    await buildWheel(machine, { name: "isolated", version: "9.0" });
    process.env.PIP_FIND_LINKS = machine;
    process.env.PIP_INDEX_URL = "http://127.0.0.1:9/simple";
    process.env.PIP_CONSTRAINT = join(tmp, "missing-constraints.txt");
    const venv = await createVenv(join(tmp, "iso"));
    await pipInstall(venv, ["isolated"], { findLinks: ours });
    expect((await runPip(venv, ["freeze"])).stdout).toBe("isolated==1.0\n");
    await expect(pipInstall(venv, ["not-anywhere"], { findLinks: ours })).rejects.toThrow(
      /No matching distribution found for not-anywhere/,
    );
  });
});
