import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listBundle } from "@swhub/runtime/bundle/read";
import { buildWheel, makeTempDir, wheelFileName } from "@swhub/runtime/testing/python";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildTestCli,
  built,
  keyPaths,
  makeTestHome,
  manifestOf,
  member,
  runBuild,
  starwhaleKeys,
  type TestHome,
} from "./build-test-support";

let entry: string;
let tmp: string;
let wheels: string;

beforeAll(async () => {
  tmp = await makeTempDir("build-yaml");
  wheels = join(tmp, "wheels");
  [entry] = await Promise.all([
    buildTestCli(),
    buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] }),
    buildWheel(wheels, { name: "beta", version: "2.0" }),
    buildWheel(wheels, { name: "gamma", version: "0.3" }),
    buildWheel(wheels, { name: "delta", version: "4.0" }),
  ]);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const build = (
  home: TestHome,
  args: string[],
  cwd = home.home,
  env: Record<string, string | undefined> = {},
) => runBuild(entry, home, args, cwd, env);

describe("swcli runtime build --yaml", () => {
  async function project(name: string, yaml: string): Promise<string> {
    const dir = join(tmp, name);
    await mkdir(join(dir, "scripts"), { recursive: true });
    await writeFile(join(dir, "runtime.yaml"), yaml);
    await writeFile(join(dir, "requirements.txt"), "gamma\n");
    await writeFile(join(dir, "scripts", "hello.sh"), "echo hello\n");
    return dir;
  }
  const fullYaml = (extra = "") => `name: yamlfull
mode: venv
environment:
  python: "3.11"
${extra}dependencies:
  - pip:
      - alpha
  - requirements.txt
  - wheels:
      - dist/${wheelFileName({ name: "delta", version: "4.0" })}
  - files:
      - dest: bin/hello.sh
        src: scripts/hello.sh
  - commands:
      - echo hello-from-commands
`;

  it("installs into .starwhale/venv from PIP_FIND_LINKS, locks it, and bundles every file", async () => {
    const dir = await project("yaml-find-links", fullYaml());
    await mkdir(join(dir, "dist"));
    await writeFile(
      join(dir, "dist", wheelFileName({ name: "delta", version: "4.0" })),
      await readFile(join(wheels, wheelFileName({ name: "delta", version: "4.0" }))),
    );
    const home = await makeTestHome();
    const result = built(await build(home, [], dir, { PIP_FIND_LINKS: wheels }));
    expect(result.name).toBe("yamlfull");
    const members = (await listBundle(result.bundle_path)).map((m) => m.path);
    expect(members).toEqual(
      expect.arrayContaining([
        "dependencies/requirements.txt",
        "dependencies/.starwhale/lock/requirements-sw-lock.txt",
        "wheels/dist/delta-4.0-py3-none-any.whl",
        "files/scripts/hello.sh",
      ]),
    );
    expect(await member(result.bundle_path, "runtime.yaml")).toBe(
      await readFile(join(dir, "runtime.yaml"), "utf8"),
    );
    const lock = await member(result.bundle_path, "dependencies/.starwhale/lock/requirements-sw-lock.txt");
    // delta came from a local wheel file: dropped from the lock, restored from wheels/ instead.
    expect(lock.split("\n").slice(1)).toEqual(["alpha==1.0", "beta==2.0", "gamma==0.3"]);
    expect(await readFile(join(dir, ".starwhale", "lock", "requirements-sw-lock.txt"), "utf8")).toBe(lock);
    const manifest = await manifestOf(result.bundle_path);
    expect(keyPaths(manifest).sort()).toEqual(await starwhaleKeys("yamlfull.swrt"));
    expect(manifest.artifacts).toEqual({
      dependencies: [
        "dependencies/requirements.txt",
        "dependencies/.starwhale/lock/requirements-sw-lock.txt",
      ],
      files: [{ dest: "bin/hello.sh", src: "scripts/hello.sh" }],
      runtime_yaml: "runtime.yaml",
      wheels: ["wheels/dist/delta-4.0-py3-none-any.whl"],
    });
    expect(manifest.dependencies.raw_deps?.map((d) => d.kind)).toEqual([
      "pip_pkg",
      "pip_req_file",
      "wheel",
      "native_file",
      "command",
    ]);
    expect(manifest.environment).toMatchObject({ auto_lock_dependencies: true, python: "3.11" });

    // A second build reuses the env; -nc makes it again.
    await writeFile(join(dir, ".starwhale", "venv", "marker"), "");
    built(await build(home, [], dir, { PIP_FIND_LINKS: wheels }));
    expect(await readFile(join(dir, ".starwhale", "venv", "marker"), "utf8")).toBe("");
    const again = built(await build(home, ["-nc"], dir, { PIP_FIND_LINKS: wheels }));
    await expect(readFile(join(dir, ".starwhale", "venv", "marker"))).rejects.toThrow();
    expect(again.tags).toEqual(["latest", "v2"]);
  });

  it("installs from the index in configs.pip (a local simple index) when pip has no find-links", async () => {
    const index = join(tmp, "simple");
    for (const [name, version] of [["gamma", "0.3"]] as const) {
      const file = wheelFileName({ name, version });
      await mkdir(join(index, name), { recursive: true });
      await writeFile(join(index, name, file), await readFile(join(wheels, file)));
      await writeFile(
        join(index, name, "index.html"),
        `<html><body><a href="${file}">${file}</a></body></html>`,
      );
    }
    const dir = await project(
      "yaml-index",
      `name: indexed\nconfigs:\n  pip:\n    index_url: file://${index}\ndependencies:\n  - requirements.txt\n`,
    );
    const home = await makeTestHome({ PIP_NO_INDEX: undefined });
    const result = built(await build(home, ["-y", join(dir, "runtime.yaml")], home.home));
    const lock = await member(result.bundle_path, "dependencies/.starwhale/lock/requirements-sw-lock.txt");
    expect(lock.split("\n").slice(1)).toEqual(["gamma==0.3"]);
    expect((await manifestOf(result.bundle_path)).configs.pip?.index_url).toBe(`file://${index}`);

    // SW_PYPI_INDEX_URL wins over configs.pip: with an empty index in the YAML, the install still finds gamma.
    const empty = join(tmp, "empty-simple");
    await mkdir(empty, { recursive: true });
    const elsewhere = await project(
      "yaml-sw-pypi",
      `name: indexed\nconfigs:\n  pip:\n    index_url: file://${empty}\ndependencies:\n  - requirements.txt\n`,
    );
    const viaEnv = await build(home, ["-nc"], elsewhere, { SW_PYPI_INDEX_URL: `file://${index}` });
    expect(built(viaEnv).lock_file).toBe("dependencies/.starwhale/lock/requirements-sw-lock.txt");
    const withoutEnv = await build(home, ["-nc"], elsewhere);
    expect(withoutEnv.code).toBe(1);
  });

  it("skips the lock with -del and records auto_lock_dependencies: false", async () => {
    const dir = await project(
      "yaml-del",
      fullYaml().replace("  - wheels:\n      - dist/delta-4.0-py3-none-any.whl\n", ""),
    );
    const home = await makeTestHome();
    const result = built(await build(home, ["-del"], dir));
    expect(result.lock_file).toBeNull();
    const manifest = await manifestOf(result.bundle_path);
    expect(manifest.environment).toMatchObject({ auto_lock_dependencies: false, lock: { files: [] } });
    expect(manifest.artifacts?.dependencies).toEqual(["dependencies/requirements.txt"]);
    await expect(readFile(join(dir, ".starwhale", "venv", "pyvenv.cfg"))).rejects.toThrow();
  });
});
