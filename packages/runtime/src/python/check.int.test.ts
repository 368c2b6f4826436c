// Our check must report exactly what `python -m pip check` reports, on venvs broken with --no-deps installs.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWheel, createVenv, makeTempDir, pipInstall, runPip } from "../testing/python";
import { type CheckResult, checkDistributions } from "./check";
import { readDistributions } from "./distributions";
import { markerEnvironment } from "./markers";
import { inspectVenv, venvSysPath } from "./venv";

let tmp: string;
let wheels: string;

async function ourCheck(venv: string): Promise<CheckResult> {
  const info = await inspectVenv(venv);
  return checkDistributions(
    await readDistributions(await venvSysPath(info)),
    markerEnvironment(info.pythonVersion),
  );
}

async function venvWith(name: string, specs: string[]): Promise<string> {
  const venv = await createVenv(join(tmp, name));
  if (specs.length > 0) await pipInstall(venv, specs, { findLinks: wheels, noDeps: true });
  return venv;
}

beforeAll(async () => {
  tmp = await makeTempDir("check");
  wheels = join(tmp, "wheels");
  await buildWheel(wheels, {
    name: "App",
    version: "1.0",
    requires: [
      "lib>=2",
      "missing-one",
      "Other_Missing>=1; python_version >= '3'",
      "never-needed; python_version < '3'",
      "only-for-extra; extra == 'x'",
      "pre>=1.0",
      "lib[fast]<3,>=0.5",
      "broken-meta",
    ],
  });
  await buildWheel(wheels, { name: "lib", version: "1.5" });
  await buildWheel(wheels, { name: "pre", version: "2.0rc1" });
  await buildWheel(wheels, {
    name: "zed",
    version: "1.0",
    requires: ["lib<1", "lib!=1.5; os_name == 'posix'", "aaa-missing"],
  });
  await buildWheel(wheels, { name: "broken-meta", version: "1.0", requires: ["this is not a requirement"] });
  await buildWheel(wheels, { name: "fine", version: "1.0", requires: ["lib>=1"] });
}, 60_000);

afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("checkDistributions matches pip check", () => {
  it("reports missing and conflicting requirements in pip's words and order", async () => {
    const venv = await venvWith("broken", ["App", "lib", "pre", "zed", "broken-meta"]);
    const pip = await runPip(venv, ["check"]);
    // What a user sees from pip; our output must be the same text.
    expect(pip.stdout).toContain("app 1.0 has requirement lib>=2, but you have lib 1.5.\n");
    expect(pip.stdout).toContain("app 1.0 requires missing-one, which is not installed.\n");
    expect(pip.stdout).toContain("app 1.0 requires broken-meta, which is not installed.\n");
    expect(pip.stdout).not.toContain("never-needed");
    expect(pip.stdout).not.toContain("only-for-extra");
    expect(pip.stderr).toContain("Error parsing requirements for broken-meta");
    const ours = await ourCheck(venv);
    expect(ours.output).toBe(pip.stdout);
    expect(ours.ok).toBe(false);
    expect(pip.code).toBe(1);
    expect(ours.problems.find((p) => p.kind === "unreadable")?.project).toBe("broken-meta");
  });

  it("agrees when the only problem is metadata pip cannot parse (exit 1, nothing on stdout)", async () => {
    const venv = await venvWith("unparsable", ["broken-meta"]);
    const pip = await runPip(venv, ["check"]);
    const ours = await ourCheck(venv);
    expect(pip.code).toBe(1);
    expect(ours.ok).toBe(false);
    expect(ours.output).toBe(pip.stdout);
  });

  it("says so when nothing is broken", async () => {
    const venv = await venvWith("healthy", ["fine", "lib"]);
    const pip = await runPip(venv, ["check"]);
    const ours = await ourCheck(venv);
    expect(pip).toMatchObject({ code: 0, stdout: "No broken requirements found.\n" });
    expect(ours).toMatchObject({ ok: true, output: pip.stdout, problems: [] });
  });
});
