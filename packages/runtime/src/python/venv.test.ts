import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectShellEnv, inspectVenv, pythonVersionFromCfg, venvSysPath } from "./venv";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-venv-"));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function fakeVenv(name: string, cfg: string): Promise<string> {
  const prefix = join(tmp, name);
  await mkdir(join(prefix, "lib", "python3.10", "site-packages"), { recursive: true });
  await writeFile(join(prefix, "pyvenv.cfg"), cfg);
  return prefix;
}

describe("inspectVenv", () => {
  it("refuses a directory without pyvenv.cfg, naming it", async () => {
    const dir = join(tmp, "plain");
    await mkdir(dir, { recursive: true });
    await expect(inspectVenv(dir)).rejects.toMatchObject({
      code: "invalid_input",
      message: `${dir} is not a venv: pyvenv.cfg not found`,
    });
  });

  it("refuses a path that does not exist", async () => {
    await expect(inspectVenv(join(tmp, "missing"))).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("reads the Python version, home and site-packages from pyvenv.cfg without running Python", async () => {
    const prefix = await fakeVenv(
      "v1",
      "home = /opt/py/bin\ninclude-system-site-packages = false\nversion = 3.10.13\nexecutable = /opt/py/bin/python3.10\n",
    );
    const venv = await inspectVenv(prefix);
    expect(venv).toMatchObject({
      prefix,
      python: join(prefix, "bin", "python"),
      pythonVersion: "3.10.13",
      home: "/opt/py/bin",
      includeSystemSitePackages: false,
      sitePackages: [join(prefix, "lib", "python3.10", "site-packages")],
    });
  });

  it("puts .pth directories after site-packages on the sys.path pip sees", async () => {
    const prefix = await fakeVenv("v2", "home = /nonexistent/bin\nversion = 3.10.1\n");
    const site = join(prefix, "lib", "python3.10", "site-packages");
    const project = join(tmp, "project");
    await mkdir(project, { recursive: true });
    await writeFile(join(site, "b.pth"), `# comment\nimport sys\n${project}\n/does/not/exist\n`);
    await writeFile(join(site, "a.pth"), "../../../../project\n");
    await writeFile(join(site, ".hidden.pth"), "/\n");
    expect(await venvSysPath(await inspectVenv(prefix))).toEqual([site, project]);
  });
});

describe("pythonVersionFromCfg", () => {
  it.each([
    [{ version: "3.11.7" }, "3.11.7"],
    [{ version_info: "3.9.18.final.0" }, "3.9.18"],
    [{ version_info: "3.12.1" }, "3.12.1"],
    [{ home: "/usr/bin" }, undefined],
  ])("%j → %s", (cfg, expected) => expect(pythonVersionFromCfg(cfg)).toBe(expected));
});

describe("detectShellEnv", () => {
  it("finds an active venv, named after its directory", () => {
    expect(detectShellEnv({ VIRTUAL_ENV: "/home/u/envs/demo" })).toEqual({
      kind: "venv",
      prefix: "/home/u/envs/demo",
      name: "demo",
    });
  });

  it("finds an active conda env by CONDA_PREFIX and CONDA_DEFAULT_ENV", () => {
    expect(detectShellEnv({ CONDA_PREFIX: "/opt/conda/envs/ml", CONDA_DEFAULT_ENV: "ml" })).toEqual({
      kind: "conda",
      prefix: "/opt/conda/envs/ml",
      name: "ml",
    });
  });

  it("refuses both at once, naming both", () => {
    expect(() =>
      detectShellEnv({ VIRTUAL_ENV: "/v", CONDA_PREFIX: "/opt/conda", CONDA_DEFAULT_ENV: "base" }),
    ).toThrow("both a venv (/v) and a conda env (/opt/conda) are active in this shell");
  });

  it("refuses neither (the system Python), and a CONDA_PREFIX without CONDA_DEFAULT_ENV", () => {
    expect(() => detectShellEnv({})).toThrow(/no venv or conda env is active/);
    expect(() => detectShellEnv({ CONDA_PREFIX: "/opt/conda" })).toThrow(/no venv or conda env is active/);
  });
});
