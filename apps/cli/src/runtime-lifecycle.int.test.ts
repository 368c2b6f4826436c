import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RuntimeHistoryItemJson, RuntimeInfoJson, RuntimeListItemJson } from "./output/shapes";
import {
  demo,
  expectOneLineError,
  fillStarwhaleStore,
  fixtures,
  venv1,
  yamlfull,
} from "./testing/starwhale-store";
import { buildSwcli, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// remove, recover, gc, extract, copy and bad input, run as users run them: a real swcli process per command, on
// a store holding bundles and a tag index written by the real Starwhale 0.6.15.

let build: SwcliBuild;
let box: Sandbox;

beforeAll(async () => {
  build = await buildSwcli();
}, 60_000);
afterAll(async () => {
  await build.remove();
});
beforeEach(async () => {
  box = await createSandbox(build.entry);
  await fillStarwhaleStore(box);
});
afterEach(async () => {
  await box.cleanup();
});

const sw = (...args: string[]) => box.swcli(args);
const json = async <T>(...args: string[]): Promise<T> =>
  JSON.parse(ok(await sw("-o", "json", ...args)).stdout) as T;
const tagIndex = () => parse(readFileSync(join(box.storage, "self/runtime/venv1/_manifest.yaml"), "utf8"));

describe("remove, recover and gc", () => {
  it("asks on stderr before removing, and removes nothing without a yes", async () => {
    const no = await box.swcli(["runtime", "remove", "demo"], { input: "n\n" });
    expect(no.code).toBe(1);
    expect(no.stderr).toBe(
      "Remove runtime demo (1 version) from project self (recoverable until swcli gc)? [y/N] error: removal cancelled; nothing was removed\nhint: answer y, or pass -y to skip the question\n",
    );
    expect(await json<unknown[]>("runtime", "history", "demo")).toHaveLength(1);
    const yes = ok(await box.swcli(["runtime", "rm", "demo/version/latest"], { input: "y\n" }));
    expect(yes.stderr).toMatch(
      /^Remove version nlkdjrzz3jlh of runtime demo from project self \(recoverable until swcli gc\)\? \[y\/N\] $/,
    );
    expect(yes.stdout).toBe(
      `removed demo/version/nlkdjrzz3jlh\nbring it back with: swcli runtime recover demo/version/${demo}\n`,
    );
    expectOneLineError(await sw("runtime", "info", "demo"), 'no runtime named "demo" in project "self"');
  });

  it("removes every version when the URI has none, and recovers them all with their tags", async () => {
    const removed = await json<{ versions: string[] }>("runtime", "remove", "venv1", "-y");
    expect(removed.versions.sort()).toEqual([...venv1].sort());
    expect(existsSync(join(box.storage, "self/runtime/.recover/venv1/2u", `${venv1[0]}.swrt`))).toBe(true);
    ok(await sw("runtime", "recover", "venv1/t1"));
    expect((await json<RuntimeHistoryItemJson[]>("runtime", "history", "venv1")).map((h) => h.tags)).toEqual([
      ["latest", "v2", "Abc-1.2_x", "t1"],
    ]);
    ok(await sw("runtime", "recover", "venv1"));
    expect((await json<RuntimeHistoryItemJson[]>("runtime", "history", "venv1")).map((h) => h.tags)).toEqual([
      ["latest", "v3"],
      ["v2", "Abc-1.2_x", "t1"],
      ["v1"],
      ["v0"],
    ]);
    expectOneLineError(
      await sw("runtime", "recover", "venv1"),
      'runtime venv1 has no removed versions in project "self"',
    );
  });

  it("deletes for good with -f, and gc empties the recycle area after asking", async () => {
    ok(await sw("runtime", "remove", "demo", "-f", "-y"));
    expect(await json("runtime", "list", "-sr", "-fl", "name=demo")).toEqual([]);
    ok(await sw("runtime", "remove", "venv1/v0", "-y"));
    ok(await sw("runtime", "remove", "yamlfull", "-y"));
    // A temporary file left by a killed swcli (pid 2^22+1 is above Linux's pid_max).
    const stale = join(box.storage, "self/runtime/venv1", ".x.swtmp-4194305-abcd1234");
    await writeFile(stale, "partial");
    const dry = ok(await sw("gc", "--dry-run"));
    expect(dry.stdout).toContain(`would delete self/venv1/version/${venv1[0].slice(0, 12)}\n`);
    expect(dry.stdout).toContain(`would delete self/yamlfull/version/${yamlfull.slice(0, 12)}\n`);
    expect(existsSync(stale)).toBe(true);
    const cancelled = await box.swcli(["gc"], { input: "\n" });
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toContain(
      "Delete 2 removed items (50.0 KiB) for good? [y/N] error: gc cancelled; nothing was deleted\n",
    );
    const done = await json<{ versions: { version: string }[]; other: string[] }>("gc", "-y");
    expect(done.versions.map((v) => v.version).sort()).toEqual([venv1[0], yamlfull].sort());
    expect(done.other).toEqual([stale]);
    expect(existsSync(join(box.storage, "self/runtime/.recover/venv1"))).toBe(false);
    expect(existsSync(stale)).toBe(false);
    // The removed version's tags went with it; the others stayed.
    expect(tagIndex().tags.v0).toBeUndefined();
    expect(tagIndex().tags.v1).toBe(venv1[1]);
    expect(ok(await sw("gc", "-y")).stdout).toBe("nothing to delete\n");
  });
});

describe("extract", () => {
  it("extracts into the workdir, skips an extracted one, and replaces it with -f", async () => {
    const first = ok(await sw("runtime", "extract", "yamlfull"));
    const snapshot = join(box.storage, "self/workdir/runtime/yamlfull/ii", yamlfull);
    expect(first.stdout).toContain(`extracted to ${snapshot}\n`);
    expect(first.stderr).toMatch(/^extract: started \(30\.0 KiB\)$/m);
    expect(readFileSync(join(snapshot, "files/scripts/hello.sh"), "utf8")).toBe("#!/bin/sh\necho hello\n");
    writeFileSync(join(snapshot, "marker"), "");
    expect(ok(await sw("runtime", "extract", "yamlfull")).stdout).toBe(
      `${snapshot} already holds the runtime; kept it (pass -f to extract again)\n`,
    );
    expect(existsSync(join(snapshot, "marker"))).toBe(true);
    expect(await json("runtime", "extract", "yamlfull", "-f")).toEqual({
      path: snapshot,
      status: "extracted",
    });
    expect(existsSync(join(snapshot, "marker"))).toBe(false);
  });

  it("extracts to --target-dir, and refuses a directory that is not an extracted runtime", async () => {
    const target = join(box.home, "out");
    ok(await sw("runtime", "extract", "demo", "--target-dir", target));
    expect(readFileSync(join(target, "runtime.yaml"), "utf8")).toContain("name: demo");
    const other = join(box.home, "other");
    await mkdir(other);
    await writeFile(join(other, "keep"), "mine");
    expectOneLineError(
      await sw("runtime", "extract", "demo", "--target-dir", other),
      `${other} already exists and is not an extracted runtime (no _manifest.yaml)`,
    );
    expect(readFileSync(join(other, "keep"), "utf8")).toBe("mine");
  });
});

describe("copy", () => {
  it("copies to another project and name: its own v0 and latest, the user tags but -i ones", async () => {
    const run = ok(
      await sw(
        "runtime",
        "copy",
        "local/project/self/runtime/venv1/version/v2",
        "local/project/other/b",
        "-i",
        "t1",
      ),
    );
    expect(run.stderr).toMatch(/^copy: started \(20\.0 KiB\)$/m);
    expect(run.stdout).toContain(`copied other/b/version/${venv1[2].slice(0, 12)}\ntags: Abc-1.2_x\n`);
    expect(await json<RuntimeHistoryItemJson[]>("runtime", "history", "local/project/other/b")).toMatchObject(
      [{ version: venv1[2], tags: ["latest", "v0", "Abc-1.2_x"] }],
    );
    const bytes = (p: string, n: string, v: string) =>
      readFileSync(join(box.storage, p, "runtime", n, v.slice(0, 2), `${v}.swrt`));
    expect(bytes("other", "b", venv1[2]).equals(bytes("self", "venv1", venv1[2]))).toBe(true);
  });

  it("keeps the name with '.', uses -dlp, and skips an existing version unless -f", async () => {
    ok(await sw("runtime", "cp", "demo", ".", "-dlp", "other"));
    expect((await json<RuntimeListItemJson[]>("runtime", "list", "-p", "other")).map((i) => i.name)).toEqual([
      "demo",
    ]);
    expect(ok(await sw("runtime", "cp", "demo", ".", "-dlp", "other")).stdout).toBe(
      `other/demo/version/${demo.slice(0, 12)} already exists; kept it (pass -f to overwrite)\n`,
    );
    expect(await json("runtime", "cp", "demo", "local/project/other/demo", "-f")).toMatchObject({
      status: "overwritten",
    });
  });

  it("says when a server can't be reached, and that activate needs a local copy", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await mkdir(join(box.home, "config"), { recursive: true });
    writeFileSync(
      box.configFile,
      `version: "2.0"\ncurrent_instance: local\ninstances:\n  local: { uri: local, current_project: self }\n  prod: { uri: "http://127.0.0.1:${port}", sw_token: t, current_project: ml }\n`,
    );
    for (const args of [
      ["demo", "cloud://prod/project/ml"],
      ["cloud://prod/project/ml/runtime/x/version/v1", "."],
    ]) {
      expectOneLineError(
        await sw("runtime", "copy", ...args),
        `can't reach the server at http://127.0.0.1:${port}: connection refused`,
      );
    }
    const activate = await sw("runtime", "activate", "prod/project/ml/x");
    expectOneLineError(
      activate,
      "swcli runtime activate works on the standalone instance only, and prod/project/ml/x is on prod",
    );
    expect(activate.stderr).toContain("hint: copy it first: swcli runtime copy prod/project/ml/x .\n");
  });
});

describe("bad input: one clear line, exit 1", () => {
  it("reports URIs that don't resolve, prefixes that are ambiguous or too short", async () => {
    expectOneLineError(await sw("runtime", "info", "mnist"), 'no runtime named "mnist" in project "self"');
    expectOneLineError(await sw("runtime", "history", "venv1/version/nope"), /has no version or tag "nope"$/);
    const a = `abcd${"a".repeat(36)}`;
    const b = `abcd${"b".repeat(36)}`;
    await box.placeBundle("self", "pair", a, join(fixtures, "demo.swrt"));
    await box.placeBundle("self", "pair", b, join(fixtures, "demo.swrt"));
    expectOneLineError(
      await sw("runtime", "info", "pair/abcd"),
      '"abcd" matches 2 versions (abcdaaaaaaaa, abcdbbbbbbbb); give more characters',
    );
    expectOneLineError(
      await sw("runtime", "info", "pair/ab"),
      'version prefix "ab" is too short: give at least 4 characters',
    );
    expect((await json<RuntimeInfoJson>("runtime", "info", "abcda")).basic).toMatchObject({
      name: "pair",
      version: a,
    });
    expectOneLineError(
      await sw("runtime", "info", "mnist/foo/bar"),
      /^error: invalid URI "mnist\/foo\/bar": /,
    );
  });

  it("refuses a hostile or broken bundle on extract and activate, writing nothing outside the target", async () => {
    const { craftTar } = await import("@swhub/runtime/bundle/testing/craft-tar");
    const evil = join(box.home, "evil.swrt");
    writeFileSync(
      evil,
      craftTar([
        { name: "_manifest.yaml", data: "version: x\n" },
        { name: "../../../../escaped.txt", data: "owned" },
      ]),
    );
    const version = "evil".padEnd(40, "a");
    await box.placeBundle("self", "evil", version, evil);
    for (const command of ["extract", "activate"]) {
      const run = await sw("runtime", command, "evil", ...(command === "activate" ? ["--print"] : []));
      expectOneLineError(run, /is unsafe to extract: .*\.\.\/\.\.\/\.\.\/\.\.\/escaped\.txt/);
    }
    expect(readdirSync(join(box.storage, "self/workdir/runtime/evil/ev"))).toEqual([]);
    expect(existsSync(join(box.storage, "escaped.txt"))).toBe(false);
    expect(existsSync(join(box.home, "escaped.txt"))).toBe(false);

    const truncated = readFileSync(join(fixtures, "demo.swrt")).subarray(0, 1500);
    writeFileSync(evil, truncated);
    await box.placeBundle("self", "cut", "cuta".padEnd(40, "a"), evil);
    expectOneLineError(await sw("runtime", "extract", "cut"), /cut.*(truncated|ends|unexpected)/i);
  });
});
