// Our freeze must print exactly what `python -m pip freeze` prints for the same venv.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildProject,
  buildWheel,
  createVenv,
  makeTempDir,
  pipInstall,
  runCommand,
  runPip,
  setupPyDevelop,
} from "../testing/python";
import { readDistributions } from "./distributions";
import { type FreezeOptions, freezeDistributions } from "./freeze";
import { inspectVenv, venvSysPath } from "./venv";

let tmp: string;
let venv: string;
let gitProject: string;
let gitCommit: string;

async function git(cwd: string, ...args: string[]) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: cwd };
  const identity = [
    "-c",
    "user.name=swhub",
    "-c",
    "user.email=swhub@example.invalid",
    "-c",
    "init.defaultBranch=main",
  ];
  const result = await runCommand("git", [...identity, ...args], { cwd, env });
  if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

async function ours(options: Partial<FreezeOptions> = {}): Promise<string> {
  const info = await inspectVenv(venv);
  const lines = await freezeDistributions(await readDistributions(await venvSysPath(info)), {
    pythonVersion: info.pythonVersion,
    ...options,
  });
  return lines.map((line) => `${line}\n`).join("");
}

async function pipFreeze(...args: string[]): Promise<string> {
  const result = await runPip(venv, ["freeze", ...args]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  tmp = await makeTempDir("freeze");
  const wheels = join(tmp, "wheels");
  await buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=1"] });
  await buildWheel(wheels, { name: "beta", version: "2.0" });
  await buildWheel(wheels, { name: "Mixed.Case_Name", version: "0.1" });
  await buildWheel(wheels, { name: "zeta", version: "01.2" });
  await buildWheel(wheels, { name: "prerel", version: "2.0rc1" });
  await buildWheel(wheels, { name: "gamma", version: "3.0" });
  await buildWheel(wheels, {
    name: "withextras",
    version: "1.0",
    extras: ["fast"],
    requires: ["gamma; extra == 'fast'"],
  });
  await buildWheel(wheels, { name: "wheel", version: "0.41.0" });
  const localWheel = await buildWheel(join(tmp, "elsewhere"), { name: "localwheel", version: "0.5" });

  // Projects: one installed from its directory, two in editable mode (PEP 660), one in a git checkout with a
  // remote, one installed from git, and a legacy `setup.py develop` (an .egg-link, the egg-info in the project).
  const dirpkg = await buildProject(join(tmp, "dirpkg"), { name: "dirpkg", version: "3.0" });
  const editme = await buildProject(join(tmp, "editme"), { name: "edit-me", version: "0.2" });
  gitProject = await buildProject(join(tmp, "repo", "sub"), { name: "git-edit", version: "1.1" });
  await git(join(tmp, "repo"), "init", "-q");
  await git(join(tmp, "repo"), "add", "-A");
  await git(join(tmp, "repo"), "commit", "-qm", "init");
  await git(join(tmp, "repo"), "remote", "add", "origin", "https://example.invalid/org/repo.git");
  gitCommit = await git(join(tmp, "repo"), "rev-parse", "HEAD");
  const fromGit = await buildProject(join(tmp, "fromgit"), { name: "fromgit", version: "4.0" });
  await git(fromGit, "init", "-q");
  await git(fromGit, "add", "-A");
  await git(fromGit, "commit", "-qm", "init");
  const legacy = await buildProject(join(tmp, "legacy"), {
    name: "Legacy_Dev",
    version: "0.3",
    legacySetupPy: true,
    modules: { "legacy_dev.py": "X = 1\n" },
  });

  venv = await createVenv(join(tmp, "venv"));
  const specs = [
    "alpha",
    "Mixed.Case_Name",
    "zeta",
    "prerel==2.0rc1",
    "withextras[fast]",
    "wheel",
    localWheel,
  ];
  await pipInstall(venv, [...specs, dirpkg, `git+file://${fromGit}#egg=fromgit`], { findLinks: wheels });
  await pipInstall(venv, [editme, gitProject], { editable: true });
  await setupPyDevelop(venv, legacy);
}, 120_000);

afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("freezeDistributions matches pip freeze", () => {
  it("prints the same lines in the same order", async () => {
    const expected = await pipFreeze();
    // The venv holds every kind of install we claim to handle; make sure pip sees them as we think.
    expect(expected).toContain("Mixed.Case_Name==0.1\n");
    expect(expected).toContain("zeta==1.2\n");
    expect(expected).toContain("withextras==1.0\n");
    expect(expected).toMatch(
      /^localwheel @ file:\/\/.*localwheel-0\.5-py3-none-any\.whl#sha256=[0-9a-f]{64}$/m,
    );
    expect(expected).toContain(`dirpkg @ file://${join(tmp, "dirpkg")}\n`);
    expect(expected).toContain(
      `# Editable install with no version control (edit-me==0.2)\n-e ${join(tmp, "editme")}\n`,
    );
    expect(expected).toContain(`-e ${join(tmp, "legacy")}\n`);
    expect(expected).toContain(
      `-e git+https://example.invalid/org/repo.git@${gitCommit}#egg=git_edit&subdirectory=sub\n`,
    );
    expect(expected).toMatch(/^fromgit @ git\+file:\/\/.*fromgit@[0-9a-f]{40}$/m);
    expect(expected).not.toMatch(/^(pip|setuptools|wheel)==/m);
    expect(await ours()).toBe(expected);
  });

  it("matches --exclude-editable", async () => {
    const expected = await pipFreeze("--exclude-editable");
    expect(expected).not.toContain("-e ");
    expect(await ours({ excludeEditable: true })).toBe(expected);
  });

  it("matches --all (pip, setuptools and wheel listed)", async () => {
    const expected = await pipFreeze("--all");
    expect(expected).toMatch(/^pip==/m);
    expect(await ours({ all: true })).toBe(expected);
  });

  it("matches --exclude", async () => {
    const expected = await pipFreeze("--exclude", "alpha", "--exclude", "mixed-case-name");
    expect(expected).not.toContain("alpha==");
    expect(await ours({ exclude: ["alpha", "Mixed_Case.Name"] })).toBe(expected);
  });

  it("matches in a venv that sees the system site-packages (sys.path asked from the interpreter)", async () => {
    const shared = await createVenv(join(tmp, "system-site"));
    const cfgPath = join(shared, "pyvenv.cfg");
    const cfg = await readFile(cfgPath, "utf8");
    await writeFile(
      cfgPath,
      cfg.replace(/include-system-site-packages = false/, "include-system-site-packages = true"),
    );
    const saved = process.env.PYTHONNOUSERSITE;
    process.env.PYTHONNOUSERSITE = "1"; // as the isolated pip below runs
    try {
      const info = await inspectVenv(shared);
      expect(info.includeSystemSitePackages).toBe(true);
      const lines = await freezeDistributions(await readDistributions(await venvSysPath(info)), {
        pythonVersion: info.pythonVersion,
      });
      const pip = await runPip(shared, ["freeze"]);
      expect(lines.map((line) => `${line}\n`).join("")).toBe(pip.stdout);
    } finally {
      if (saved === undefined) delete process.env.PYTHONNOUSERSITE;
      else process.env.PYTHONNOUSERSITE = saved;
    }
  });
});
