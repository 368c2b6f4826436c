import { execFile, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildWheel, createVenv, makeTempDir, pipInstall } from "@swhub/runtime/testing/python";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buildTestCli,
  type CliRun,
  errorLines,
  makeTestHome,
  runCli,
  type TestHome,
} from "./build-test-support";

let entry: string;
let tmp: string;
let wheels: string;
let venv: string;

beforeAll(async () => {
  tmp = await makeTempDir("build-store");
  wheels = join(tmp, "wheels");
  [entry] = await Promise.all([
    buildTestCli(),
    buildWheel(wheels, { name: "alpha", version: "1.0", requires: ["beta>=2"] }),
    buildWheel(wheels, { name: "beta", version: "2.0" }),
  ]);
  venv = await createVenv(join(tmp, "env"));
  await pipInstall(venv, ["alpha"], { findLinks: wheels });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const build = (home: TestHome, args: string[], cwd = home.home) =>
  runCli(entry, ["-o", "json", "runtime", "build", ...args], { cwd, env: home.env });

function ok(run: CliRun): { version: string; tags: string[]; bundle_path: string } {
  expect(run.stderr).not.toContain("error:");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

/** A runtime.yaml project with a wheel and a native file, so a bundle holds more than the manifest. */
async function yamlProject(name: string, wheelBytes = 4096): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(join(dir, "data"), { recursive: true });
  await writeFile(
    join(dir, "runtime.yaml"),
    `name: ${name}\ndependencies:\n  - wheels:\n      - big-1.0-py3-none-any.whl\n  - files:\n      - src: data\n        dest: share/data\n`,
  );
  await writeFile(join(dir, "big-1.0-py3-none-any.whl"), randomBytes(wheelBytes));
  await writeFile(join(dir, "data", "table.csv"), "a,b\n1,2\n");
  return dir;
}

describe("reproducible builds", () => {
  const fixed = {
    SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST: "reproduciblereproduciblereproduciblerepr",
    SOURCE_DATE_EPOCH: "1700000000",
  };

  it("gives byte-identical bundles for the same venv, version id and SOURCE_DATE_EPOCH", async () => {
    const [a, b] = [await makeTestHome(fixed), await makeTestHome(fixed)];
    const first = ok(await build(a, ["-v", venv]));
    const second = ok(await build(b, ["-v", venv]));
    expect(first.version).toBe(fixed.SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST);
    expect(await readFile(second.bundle_path)).toEqual(await readFile(first.bundle_path));
    const manifest = parse(
      await readFile(join(a.storage, "self/workdir/runtime/env/re", first.version, "_manifest.yaml"), "utf8"),
    );
    expect(manifest.created_at).toBe("2023-11-14 22:13:20 UTC");
  });

  it("gives byte-identical bundles for the same runtime.yaml project", async () => {
    const dir = await yamlProject("repro");
    const [a, b] = [await makeTestHome(fixed), await makeTestHome(fixed)];
    const first = ok(await build(a, ["-del"], dir));
    const second = ok(await build(b, ["-del"], dir));
    expect(await readFile(second.bundle_path)).toEqual(await readFile(first.bundle_path));
    // The build remembers the bundle's digest, so a first `runtime copy` to a server needn't hash it again.
    const remembered = await readdir(join(a.storage, ".tmp", "transfers"));
    const digest = createHash("sha256")
      .update(await readFile(first.bundle_path))
      .digest("hex");
    expect(
      await Promise.all(remembered.map((f) => readFile(join(a.storage, ".tmp", "transfers", f), "utf8"))),
    ).toEqual([`sha256:${digest}`]);
  });

  it("refuses to build a version id that exists", async () => {
    const home = await makeTestHome(fixed);
    ok(await build(home, ["-v", venv]));
    const again = await build(home, ["-v", venv]);
    expect(again.code).toBe(1);
    expect(errorLines(again)[0]).toMatch(
      /^error: version reproduciblereproduciblereproduciblerepr of runtime env already exists/,
    );
  });
});

const canMount = spawnSync("unshare", ["-m", "mount", "-t", "tmpfs", "tmpfs", "/mnt"]).status === 0;

describe("a full disk in the middle of a build", () => {
  /**
   * In a private mount namespace with the store on a tiny tmpfs: a small build that fits, then a big one that does
   * not; prints what is left in the store (the namespace and its tmpfs vanish with the shell).
   */
  async function buildOnTinyDisk(size: string, bigBytes: number) {
    const small = await yamlProject(`small-${size}`, 1024);
    const big = await yamlProject(`big-${size}`, bigBytes);
    const home = await makeTestHome();
    await mkdir(home.storage);
    const script = `const { main } = await import(${JSON.stringify(entry)}); await main(process.argv.slice(1));`;
    const node = `"${process.execPath}" --input-type=module -e '${script}'`;
    const shell = [
      `mount -t tmpfs -o size=${size} tmpfs "$SW_LOCAL_STORAGE" || exit 99`,
      `${node} runtime build -del --name rt -y ${small}/runtime.yaml >/dev/null 2>&1 || echo "small failed"`,
      `${node} runtime build -del --name rt -y ${big}/runtime.yaml >/dev/null 2>"$HOME/err"; echo "exit=$?"`,
      `cd "$SW_LOCAL_STORAGE" && find . -mindepth 1 | sort && echo ---- && cat self/runtime/rt/_manifest.yaml`,
    ].join("\n");
    const { stdout } = await promisify(execFile)("unshare", ["-m", "sh", "-c", shell], {
      env: home.env as NodeJS.ProcessEnv,
    });
    const [listing = "", index = ""] = stdout.split("----\n");
    const lines = listing.trim().split("\n");
    return { lines, index: parse(index), error: await readFile(join(home.home, "err"), "utf8") };
  }

  function expectOnlyTheSmallVersion(result: Awaited<ReturnType<typeof buildOnTinyDisk>>) {
    expect(result.lines[0]).toBe("exit=1");
    const bundles = result.lines.filter((line) => line.endsWith(".swrt"));
    expect(bundles).toHaveLength(1);
    const version = bundles[0]!.split("/").at(-1)!.replace(".swrt", "");
    // Nothing of the failed build: no second bundle, no temporary files, one snapshot.
    expect(result.lines.filter((line) => line.includes(".swtmp-"))).toEqual([]);
    const snapshots = result.lines.filter((line) =>
      /^\.\/self\/workdir\/runtime\/rt\/[a-z2-7]{2}\/[a-z2-7]+$/.test(line),
    );
    expect(snapshots).toEqual([expect.stringContaining(version)]);
    expect(result.index.tags).toEqual({ latest: version, v0: version });
    expect(result.error).toMatch(/^error: not enough disk space to write /m);
  }

  it.skipIf(!canMount)("while packing leaves no bundle, no snapshot and no tag", async () => {
    // The snapshot (1 MiB) fits, its bundle does not.
    expectOnlyTheSmallVersion(await buildOnTinyDisk("1600k", 1 << 20));
  });

  it.skipIf(!canMount)("while copying the files leaves nothing either", async () => {
    expectOnlyTheSmallVersion(await buildOnTinyDisk("600k", 1 << 20));
  });
});

describe("concurrent builds of one runtime", () => {
  it("all succeed, each with its own vN, and the tag index stays whole", async () => {
    const home = await makeTestHome();
    const runs = await Promise.all([1, 2, 3].map(() => build(home, ["-v", venv, "--name", "shared"])));
    const results = runs.map(ok);
    expect(results.map((r) => r.tags.find((t) => /^v\d+$/.test(t))).sort()).toEqual(["v0", "v1", "v2"]);
    const index = parse(await readFile(join(home.storage, "self/runtime/shared/_manifest.yaml"), "utf8"));
    expect(index.fast_tag_seq).toBe(2);
    expect(Object.keys(index.versions).sort()).toEqual(results.map((r) => r.version).sort());
    expect(results.map((r) => r.version)).toContain(index.tags.latest);
  });
});
