import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildWheel, createVenv, makeTempDir, pipInstall } from "@swhub/runtime/testing/python";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestCli, errorLines, makeTestHome, runCli, type TestHome } from "./build-test-support";

let entry: string;
let tmp: string;
let wheels: string;
let venv: string;

beforeAll(async () => {
  tmp = await makeTempDir("build-errors");
  wheels = join(tmp, "wheels");
  [entry] = await Promise.all([
    buildTestCli(),
    buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] }),
    buildWheel(wheels, { name: "beta", version: "1.5" }),
  ]);
  venv = await createVenv(join(tmp, "env"));
  await pipInstall(venv, ["alpha", "beta"], { findLinks: wheels, noDeps: true });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Runs a build that must fail: exit 1, exactly one `error:` line, no stack trace, and nothing in the store. */
async function fails(args: string[], options: { cwd?: string; home?: TestHome } = {}): Promise<string> {
  const home = options.home ?? (await makeTestHome());
  const run = await runCli(entry, ["runtime", "build", ...args], {
    cwd: options.cwd ?? home.home,
    env: home.env,
  });
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  const errors = errorLines(run);
  expect(errors).toHaveLength(1);
  const left = await readdir(join(home.storage, "self", "runtime")).catch(() => []);
  expect(left.filter((name) => !name.startsWith("."))).toEqual([]);
  return errors[0]!;
}

async function project(name: string, yaml: string, files: Record<string, string> = {}): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "runtime.yaml"), yaml);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe("swcli runtime build refuses bad input with one line", () => {
  it("a directory that is not a venv", async () => {
    const dir = join(tmp, "not-a-venv");
    await mkdir(dir, { recursive: true });
    expect(await fails(["-v", dir])).toBe(`error: ${dir} is not a venv: pyvenv.cfg not found`);
  });

  it("a conda prefix without conda-meta", async () => {
    const dir = join(tmp, "not-conda");
    await mkdir(dir, { recursive: true });
    expect(await fails(["-cp", dir])).toBe(`error: ${dir} is not a conda prefix: conda-meta/ not found`);
  });

  it("a venv whose requirements conflict, naming the conflict", async () => {
    expect(await fails(["-v", venv])).toBe(
      `error: ${venv} has broken requirements: alpha 1.0 has requirement beta>=2, but you have beta 1.5.`,
    );
  });

  it("a venv name that is not a valid runtime name, unless --name is given", async () => {
    const hidden = await createVenv(join(tmp, ".venv"));
    await pipInstall(hidden, ["beta"], { findLinks: wheels });
    expect(await fails(["-v", hidden])).toMatch(/^error: runtime name "\.venv" is invalid/);
    const home = await makeTestHome();
    const named = await runCli(entry, ["runtime", "build", "-v", hidden, "--name", "hidden"], {
      cwd: home.home,
      env: home.env,
    });
    expect(named.code).toBe(0);
  });

  it("a built-in tag given with -t", async () => {
    expect(await fails(["-v", venv, "-t", "latest"])).toBe(
      'error: tag "latest" is built in (latest and vN are managed automatically)',
    );
    expect(await fails(["-v", venv, "-t", "v3"])).toMatch(/^error: tag "v3" is built in/);
  });

  it("a missing runtime.yaml", async () => {
    const dir = join(tmp, "empty-dir");
    await mkdir(dir, { recursive: true });
    expect(await fails([], { cwd: dir })).toBe(`error: ${join(dir, "runtime.yaml")} does not exist`);
  });

  it("broken runtime.yaml, naming the field", async () => {
    const dir = await project("bad-python", 'name: bad\nenvironment:\n  python: "2.7"\n');
    expect(await fails([], { cwd: dir })).toBe(
      `error: ${join(dir, "runtime.yaml")}: environment.python: Python 2.7 is not supported (need 3.6 or newer)`,
    );
    const syntax = await project("bad-syntax", "name: [oops\n");
    expect(await fails([], { cwd: syntax })).toMatch(/^error: .*runtime\.yaml line \d+: broken YAML/);
    const noName = await project("no-name", "mode: venv\n");
    expect(await fails([], { cwd: noName })).toBe(
      `error: ${join(noName, "runtime.yaml")}: name: is required`,
    );
  });

  it("a dependency file that does not exist", async () => {
    const dir = await project(
      "missing-req",
      "name: m\ndependencies:\n  - pip:\n      - beta\n  - requirements.txt\n",
    );
    expect(await fails(["-del"], { cwd: dir })).toBe(
      `error: runtime.yaml dependencies[1]: requirements.txt does not exist (looked for ${join(dir, "requirements.txt")})`,
    );
    const wheel = await project(
      "missing-wheel",
      "name: m\ndependencies:\n  - wheels:\n      - dist/x-1.0-py3-none-any.whl\n",
    );
    expect(await fails([], { cwd: wheel })).toMatch(
      /^error: runtime.yaml dependencies\[0\]\.wheels\[0\]: dist\/x-1\.0/,
    );
    const native = await project(
      "missing-file",
      "name: m\ndependencies:\n  - files:\n      - src: bin/tool\n        dest: bin/tool\n",
    );
    expect(await fails(["-del"], { cwd: native })).toMatch(
      /^error: runtime.yaml dependencies\[0\]\.files\[0\]\.src: bin\/tool does not exist/,
    );
  });

  it("a dependency path outside the project, or the lock file listed as a dependency", async () => {
    const outside = await project("outside", "name: m\ndependencies:\n  - ../requirements.txt\n");
    expect(await fails(["-del"], { cwd: outside })).toMatch(
      /must be a path inside the directory of runtime.yaml$/,
    );
    const locked = await project(
      "lock-listed",
      "name: m\ndependencies:\n  - .starwhale/lock/requirements-sw-lock.txt\n",
      {
        ".starwhale/lock/requirements-sw-lock.txt": "beta==1.5\n",
      },
    );
    expect(await fails(["-del"], { cwd: locked })).toMatch(/has already been added into the runtime.yaml/);
  });

  it("a Python that is not installed", async () => {
    const dir = await project("py399", 'name: m\nenvironment:\n  python: "3.99"\n');
    expect(await fails([], { cwd: dir })).toBe(
      "error: Python 3.99 is not installed: python3.99 was not found on PATH",
    );
  });

  it("a package pip cannot find, with pip's reason", async () => {
    const dir = await project("no-such-pkg", "name: m\ndependencies:\n  - pip:\n      - no-such-package\n");
    const home = await makeTestHome({ PIP_FIND_LINKS: wheels });
    expect(await fails([], { cwd: dir, home })).toBe(
      "error: pip could not install the dependencies of runtime.yaml: ERROR: No matching distribution found for no-such-package",
    );
  });

  it("--pack-env without a lock", async () => {
    const dir = await project("pack-del", "name: m\n");
    expect(await fails(["-del", "--pack-env"], { cwd: dir })).toMatch(/^error: --pack-env packs a venv/);
  });

  it("--push, which is not available yet", async () => {
    expect(await fails(["-v", venv, "--push", "cloud://server/project/p"])).toMatch(
      /^error: --push is not available yet/,
    );
  });

  it("a venv source with a server's project (current or given): servers build runtime.yaml or images", async () => {
    const home = await makeTestHome();
    await writeFile(
      home.env.SW_CLI_CONFIG!,
      `version: "2.0"\ncurrent_instance: server\ninstances:\n  local: {uri: local, type: standalone, current_project: self}\n  server: {uri: "http://127.0.0.1:9", type: cloud, current_project: p}\n`,
    );
    expect(await fails(["-v", venv], { home })).toBe(
      "error: a server builds from runtime.yaml (-y) or an image (-d), not from a local venv environment",
    );
  });

  it("a venv source for a project on a server instance", async () => {
    const home = await makeTestHome();
    await writeFile(
      home.env.SW_CLI_CONFIG!,
      `version: "2.0"\ncurrent_instance: local\ninstances:\n  local: {uri: local, type: standalone, current_project: self}\n  server: {uri: "http://127.0.0.1:9", type: cloud, current_project: p}\n`,
    );
    expect(await fails(["-v", venv, "-p", "server/project/p"], { home })).toBe(
      "error: a server builds from runtime.yaml (-y) or an image (-d), not from a local venv environment",
    );
  });
});
