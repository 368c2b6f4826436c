import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listBundle, readBundleMember } from "@swhub/runtime/bundle/read";
import {
  buildProject,
  buildWheel,
  createVenv,
  makeCondaPrefix,
  makeTempDir,
  pipInstall,
  runPip,
  wheelFileName,
} from "@swhub/runtime/testing/python";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buildTestCli,
  built,
  errorLines,
  keyPaths,
  makeTestHome,
  manifestOf,
  member,
  runBuild,
  runCli,
  starwhaleKeys,
  type TestHome,
} from "./build-test-support";

let entry: string;
let tmp: string;
let wheels: string;
let venv: string;

beforeAll(async () => {
  tmp = await makeTempDir("build-sources");
  wheels = join(tmp, "wheels");
  [entry] = await Promise.all([
    buildTestCli(),
    buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] }),
    buildWheel(wheels, { name: "beta", version: "2.0" }),
    buildWheel(wheels, { name: "gamma", version: "0.3" }),
    buildWheel(wheels, { name: "delta", version: "4.0" }),
  ]);
  venv = await createVenv(join(tmp, "ml-env"));
  await pipInstall(venv, ["alpha", "gamma"], { findLinks: wheels });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const build = (
  home: TestHome,
  args: string[],
  cwd = home.home,
  env: Record<string, string | undefined> = {},
) => runBuild(entry, home, args, cwd, env);

describe("swcli runtime build --venv", () => {
  it("locks the venv as it is and stores a bundle in Starwhale's layout", async () => {
    const home = await makeTestHome();
    const before = await runPip(venv, ["freeze", "--all"]);
    const run = await build(home, ["--venv", venv, "-t", "first"]);
    const result = built(run);
    expect(result).toMatchObject({ name: "ml-env", project: "self", tags: ["latest", "v0", "first"] });
    expect(result.uri).toBe(`local/project/self/runtime/ml-env/version/${result.version}`);
    expect(result.version).toMatch(/^[a-z2-7]{40}$/);
    expect(result.bundle_path).toBe(
      join(home.storage, "self", "runtime", "ml-env", result.version.slice(0, 2), `${result.version}.swrt`),
    );

    const members = (await listBundle(result.bundle_path)).map((m) => m.path);
    expect(members).toEqual([
      "_manifest.yaml",
      "dependencies",
      "dependencies/.starwhale",
      "dependencies/.starwhale/lock",
      "dependencies/.starwhale/lock/requirements-sw-lock.txt",
      "files",
      "runtime.yaml",
      "wheels",
    ]);
    const lock = await member(result.bundle_path, "dependencies/.starwhale/lock/requirements-sw-lock.txt");
    expect(lock.split("\n").slice(1)).toEqual(["alpha==1.0", "beta==2.0", "gamma==0.3"]);
    const manifest = await manifestOf(result.bundle_path);
    expect(keyPaths(manifest).sort()).toEqual(await starwhaleKeys("demo.swrt"));
    expect(manifest.version).toBe(result.version);
    expect(manifest.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/);
    expect(manifest.environment).toMatchObject({
      mode: "venv",
      python: expect.stringMatching(/^3\.\d+$/),
      arch: ["noarch"],
      auto_lock_dependencies: true,
      lock: {
        env_prefix_path: venv,
        env_use_shell: false,
        files: [".starwhale/lock/requirements-sw-lock.txt"],
      },
    });
    expect(parse(await member(result.bundle_path, "runtime.yaml"))).toMatchObject({
      name: "ml-env",
      mode: "venv",
      api_version: "1.1",
      environment: { arch: "noarch", python: expect.stringMatching(/^3\.\d+\.\d+$/) },
    });
    // The snapshot is kept next to the bundle, and nothing was installed into the user's venv.
    expect(await readFile(join(result.snapshot_workdir, "_manifest.yaml"), "utf8")).toBe(
      await member(result.bundle_path, "_manifest.yaml"),
    );
    expect((await runPip(venv, ["freeze", "--all"])).stdout).toBe(before.stdout);
  });

  it("prints one line with the URI, the short version and the tags", async () => {
    const home = await makeTestHome();
    const run = await runCli(entry, ["runtime", "build", "-v", venv, "--name", "short"], {
      cwd: home.home,
      env: home.env,
    });
    expect(run.code).toBe(0);
    const last = run.stdout.trimEnd().split("\n").at(-1)!;
    expect(last).toMatch(
      /^built local\/project\/self\/runtime\/short\/version\/([a-z2-7]{40}) \(version ([a-z2-7]{12}), tags latest, v0\)$/,
    );
    // Progress goes to stderr, so stdout holds only the result.
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    for (const phase of ["prepare", "lock", "copy", "pack", "tag"])
      expect(run.stderr).toContain(`${phase}: done`);
  });

  it("keeps editables and local wheels only when asked (-ie, -ilw)", async () => {
    const env = await createVenv(join(tmp, "dev-env"));
    const project = await buildProject(join(tmp, "proj-src"), { name: "mylib", version: "0.1" });
    await pipInstall(env, [project], { editable: true });
    await pipInstall(env, [join(wheels, wheelFileName({ name: "delta", version: "4.0" }))]);
    const home = await makeTestHome();
    const plain = built(await build(home, ["-v", env]));
    const lockPath = "dependencies/.starwhale/lock/requirements-sw-lock.txt";
    expect((await member(plain.bundle_path, lockPath)).split("\n").slice(1)).toEqual([]);
    const all = built(await build(home, ["-v", env, "-ie", "-ilw"]));
    const lines = (await member(all.bundle_path, lockPath)).split("\n");
    expect(lines).toContain(`-e ${project}`);
    expect(lines.some((line) => /^delta @ file:\/\/.*delta-4\.0-py3-none-any\.whl/.test(line))).toBe(true);
    expect(all.tags).toEqual(["latest", "v1"]);
  });

  it("packs the venv into the bundle with --pack-env", async () => {
    const home = await makeTestHome();
    const result = built(await build(home, ["-v", venv, "--pack-env"]));
    const members = (await listBundle(result.bundle_path)).map((m) => m.path);
    expect(members).toContain("export/venv_env.tar.gz");
    const manifest = await manifestOf(result.bundle_path);
    expect(manifest.dependencies.local_packaged_env).toBe(true);
    // An image-ready layer, whose digest is the archive's own (dockerize pushes it as it is).
    const archive = await readBundleMember(result.bundle_path, "export/venv_env.tar.gz");
    expect(manifest.packed_env_layer).toMatchObject({
      path: "export/venv_env.tar.gz",
      prefix: "/opt/starwhale.user/runtime/export/venv",
      size: archive.length,
      digest: `sha256:${createHash("sha256").update(archive).digest("hex")}`,
    });
  });

  it("records cuda, cudnn, arch, the name and the project", async () => {
    const home = await makeTestHome();
    const args = [
      "-v",
      venv,
      "--cuda",
      "11.4",
      "--cudnn",
      "8",
      "--arch",
      "amd64",
      "--name",
      "gpu",
      "-p",
      "team",
    ];
    const result = built(await build(home, args));
    expect(result.uri).toMatch(/^local\/project\/team\/runtime\/gpu\/version\//);
    const manifest = await manifestOf(result.bundle_path);
    expect(manifest.docker?.builtin_run_image?.fullname).toBe(
      "docker-registry.starwhale.cn/star-whale/cuda:11.4-cudnn8-base0.3.4",
    );
    expect(manifest.environment.arch).toEqual(["amd64"]);
    expect(parse(await member(result.bundle_path, "runtime.yaml")).environment).toMatchObject({
      cuda: "11.4",
      cudnn: "8",
      arch: "amd64",
    });
  });

  it("puts the user's pip index options at the top of the lock with -dpo (old name -epo)", async () => {
    const home = await makeTestHome();
    await mkdir(join(home.home, ".pip"));
    await writeFile(
      join(home.home, ".pip", "pip.conf"),
      "[global]\nindex-url = https://pypi.example.org/simple\n[install]\ntrusted-host = pypi.example.org\n",
    );
    const env = { PIP_CONFIG_FILE: "" };
    const result = built(await build(home, ["-v", venv, "-epo"], home.home, env));
    const lock = await member(result.bundle_path, "dependencies/.starwhale/lock/requirements-sw-lock.txt");
    expect(lock.split("\n").slice(0, 3)).toEqual([
      "# Generated by Starwhale(0.1.0) Runtime Lock",
      "--index-url https://pypi.example.org/simple",
      "--trusted-host pypi.example.org",
    ]);
  });
});

describe("swcli runtime build --shell", () => {
  it("locks the venv active in the shell (VIRTUAL_ENV)", async () => {
    const home = await makeTestHome({ VIRTUAL_ENV: venv });
    const result = built(await build(home, ["-s"]));
    expect(result.name).toBe("ml-env");
    const manifest = await manifestOf(result.bundle_path);
    expect(manifest.environment.lock).toMatchObject({ env_use_shell: true, env_prefix_path: "" });
    expect(manifest.environment.lock?.shell).toMatchObject({ python_env: "venv", use_venv: true });
  });

  it("locks the conda env active in the shell (CONDA_PREFIX)", async () => {
    const prefix = await makeCondaPrefix(join(tmp, "shell-conda"), { python: "3.11.7" });
    const home = await makeTestHome({ CONDA_PREFIX: prefix });
    const result = built(await build(home, ["--shell"]));
    expect(result).toMatchObject({
      name: "shell-conda",
      lock_file: "dependencies/.starwhale/lock/conda-sw-lock.yaml",
    });
    expect((await manifestOf(result.bundle_path)).environment.mode).toBe("conda");
  });
});

describe("swcli runtime build --conda-prefix", () => {
  it("locks the conda packages and the pip packages of the prefix", async () => {
    const prefix = await makeCondaPrefix(join(tmp, "conda-env"), {
      python: "3.11.7",
      packages: [{ name: "numpy", version: "1.26.4", build: "py311h0_0", python: {} }],
    });
    await pipInstall("python3", ["gamma"], {
      findLinks: wheels,
      prefix,
      extraArgs: ["--no-warn-conflicts"],
    });
    const home = await makeTestHome();
    await writeFile(join(home.home, ".condarc"), "channels:\n  - conda-forge\nssl_verify: false\n");
    const result = built(await build(home, ["-cp", prefix, "-dcc"]));
    expect(result.name).toBe("conda-env");
    const lock = parse(await member(result.bundle_path, "dependencies/.starwhale/lock/conda-sw-lock.yaml"));
    expect(lock.dependencies).toContain("numpy=1.26.4=py311h0_0");
    // As in Starwhale, the pip section is pip's whole freeze (conda's own export loses VCS and URL installs).
    expect(lock.dependencies).toContainEqual({ pip: ["gamma==0.3", "numpy==1.26.4"] });
    const manifest = await manifestOf(result.bundle_path);
    expect(manifest.environment).toMatchObject({ mode: "conda", python: "3.11" });
    expect(manifest.configs.conda?.condarc).toEqual({ channels: ["conda-forge"], ssl_verify: false });
    expect(parse(await member(result.bundle_path, "configs/condarc"))).toEqual({
      channels: ["conda-forge"],
      ssl_verify: false,
    });
  });
});

describe("swcli runtime build --conda", () => {
  it("needs conda to find a named env", async () => {
    const home = await makeTestHome({ PATH: "/usr/bin:/bin", CONDA_EXE: "" });
    const run = await build(home, ["-c", "pytorch"]);
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      'error: cannot find the conda env "pytorch": conda is not installed (no $CONDA_EXE, no conda on PATH)',
    ]);
  });
});
