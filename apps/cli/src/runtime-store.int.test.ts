import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type {
  RuntimeHistoryItemJson,
  RuntimeInfoJson,
  RuntimeListItemJson,
  RuntimeTagsJson,
} from "./output/shapes";
import { buildSwcli, collect, createSandbox, ok, type Sandbox, type SwcliRun } from "./testing/swcli";

// The standalone runtime commands, run as users run them: a real swcli process per command, on a store holding
// bundles written by the real Starwhale 0.6.15 (packages/runtime/test-fixtures) and its tag index.
const fixtures = join(import.meta.dirname, "../../../packages/runtime/test-fixtures/starwhale-0.6.15");
const demo = "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y";
const yamlfull = "iil4cw7kf7k445ww7rp3fffdq7obrumaep4bs5gg";
/** venv1's versions in the order Starwhale built them (v0…v3). */
const venv1: readonly [string, string, string, string] = [
  "2u7jjedu2hvefq4ukg3cy2oslcggwbrkhhnhyvy4",
  "sgocjffpcxkmt2xqv2ajnts5oaszslc22z7emguf",
  "jp7gcsf65dqgbunpeskgwlhkwezo47tfnvdngcll",
  "656zzdtqgjmxcvuwzv46s2cp3uqlltm25l7tbw3s",
];

let entry: string;
let box: Sandbox;

beforeAll(async () => {
  entry = await buildSwcli();
}, 60_000);

/** A fresh store: demo, yamlfull, and venv1 with Starwhale's own tag index (its bundles stand in for the four). */
beforeEach(async () => {
  box = await createSandbox(entry);
  await box.placeBundle("self", "demo", demo, join(fixtures, "demo.swrt"), new Date("2026-01-01T00:00:00Z"));
  await box.placeBundle(
    "self",
    "yamlfull",
    yamlfull,
    join(fixtures, "yamlfull.swrt"),
    new Date("2026-01-02T00:00:00Z"),
  );
  for (const [i, version] of venv1.entries()) {
    await box.placeBundle(
      "self",
      "venv1",
      version,
      join(fixtures, "demo.swrt"),
      new Date(Date.UTC(2026, 0, 10 + i)),
    );
  }
  await box.placeTagIndex("self", "venv1", readFileSync(join(fixtures, "venv1.tag-manifest.yaml"), "utf8"));
});
afterAll(async () => {
  await box?.cleanup();
});

const sw = (...args: string[]) => box.swcli(args);
const json = async <T>(...args: string[]): Promise<T> =>
  JSON.parse(ok(await sw("-o", "json", ...args)).stdout) as T;
const tagIndex = () => parse(readFileSync(join(box.storage, "self/runtime/venv1/_manifest.yaml"), "utf8"));

/** Progress lines (`extract: started (3.0 KiB)`), which a failed command may have printed before failing. */
const progressLine = /^[\w-]+: (started|done|\d+%)/;

/** One `error:` line (and maybe a hint), exit 1, no result on stdout, no stack trace. */
function expectOneLineError(run: SwcliRun, message: string | RegExp) {
  expect(run.code).toBe(1);
  expect(run.stdout.split("\n").filter((l) => l && !progressLine.test(l))).toEqual([]);
  const lines = run.stderr
    .trimEnd()
    .split("\n")
    .filter((l) => !progressLine.test(l));
  const errors = lines.filter((l) => l.startsWith("error: "));
  expect(errors).toHaveLength(1);
  expect(lines.filter((l) => !/^(error|hint): /.test(l))).toEqual([]);
  if (typeof message === "string") expect(errors[0]).toBe(`error: ${message}`);
  else expect(errors[0]).toMatch(message);
}

describe("list and history", () => {
  it("lists every runtime's versions, newest first, with short versions, sizes and times", async () => {
    const run = ok(await sw("runtime", "list"));
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+TAGS\s+SIZE\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ["demo", demo.slice(0, 12), "latest"],
      ["venv1", venv1[3].slice(0, 12), "latest, v3"],
      ["venv1", venv1[2].slice(0, 12), "v2, Abc-1.2_x, t1"],
      ["venv1", venv1[1].slice(0, 12), "v1"],
      ["venv1", venv1[0].slice(0, 12), "v0"],
      ["yamlfull", yamlfull.slice(0, 12), "latest"],
    ]);
    expect(lines[1]).toMatch(/20\.0 KiB\s+2026-01-01 \d\d:00:00$/);
    // Columns line up.
    const at = lines[0]!.indexOf("VERSION");
    for (const line of lines.slice(1)) expect(line[at - 1]).toBe(" ");
  });

  it("prints JSON with full versions, ISO times and byte sizes", async () => {
    const items = await json<RuntimeListItemJson[]>("runtime", "list", "-fl", "name=venv", "--fullname");
    expect(items.map((i) => i.version)).toEqual([...venv1].reverse());
    expect(items[0]).toEqual({
      project: "self",
      name: "venv1",
      version: venv1[3],
      tags: ["latest", "v3"],
      size: 20480,
      created_at: "2026-01-13T00:00:00.000Z",
      removed: false,
      owner: null,
    });
  });

  it("pages, filters latest, and shows removed versions with -sr", async () => {
    const page2 = ok(await sw("runtime", "list", "--page", "2", "--size", "2"));
    expect(page2.stdout).toContain("jp7gcsf65dqg");
    expect(page2.stdout).toContain("page 2 of 3 (6 versions); next: --page 3");
    const latest = await json<RuntimeListItemJson[]>("runtime", "list", "-fl", "latest");
    expect(latest.map((i) => [i.name, i.version])).toEqual([
      ["demo", demo],
      ["venv1", venv1[3]],
      ["yamlfull", yamlfull],
    ]);
    ok(await sw("runtime", "remove", "demo", "-y"));
    expect((await json<RuntimeListItemJson[]>("runtime", "list")).map((i) => i.name)).not.toContain("demo");
    const removed = await json<RuntimeListItemJson[]>("runtime", "ls", "-sr", "-fl", "name=demo");
    expect(removed).toMatchObject([{ name: "demo", version: demo, removed: true }]);
    expect(ok(await sw("runtime", "list", "-sr", "-fl", "name=demo")).stdout).toMatch(/^demo\s.*\syes$/m);
  });

  it("lists another project with -p, and says when it has nothing", async () => {
    expect(ok(await sw("runtime", "list", "-p", "local/project/empty")).stdout).toBe(
      "no runtimes in project empty\n",
    );
    expect(await json("runtime", "list", "-p", "empty")).toEqual([]);
  });

  it("shows a runtime's history newest first, with the tags Starwhale gave", async () => {
    const history = await json<RuntimeHistoryItemJson[]>("runtime", "history", "venv1");
    expect(history.map((h) => [h.version, h.tags])).toEqual([
      [venv1[3], ["latest", "v3"]],
      [venv1[2], ["v2", "Abc-1.2_x", "t1"]],
      [venv1[1], ["v1"]],
      [venv1[0], ["v0"]],
    ]);
    const human = ok(await sw("runtime", "history", "venv1", "--fullname")).stdout;
    expect(human).toContain(venv1[0]);
    expect(ok(await sw("runtime", "history", "venv1")).stdout).not.toContain(venv1[0]);
  });
});

describe("info", () => {
  it("shows the basics of the latest version, read from the bundle", async () => {
    const run = ok(await sw("runtime", "info", "yamlfull"));
    expect(run.stdout).toContain(`version:  ${yamlfull}\n`);
    expect(run.stdout).toContain(`uri:      local/project/self/runtime/yamlfull/version/${yamlfull}\n`);
    expect(run.stdout).toContain("mode:     venv, Python 3.11\n");
    expect(run.stdout).toContain("snapshot: (not extracted)\n");
  });

  it("prints runtime.yaml, the manifest and the lock as stored, one section each", async () => {
    expect(ok(await sw("runtime", "info", "demo", "-of", "lock")).stdout).toBe(
      "#lock file: requirements-sw-lock.txt\n# Generated by Starwhale(0.6.15) Runtime Lock\nstarwhale==0.6.15\ntinypkg01==1.0.1\ntinypkg02==1.0.2\n",
    );
    const yaml = ok(await sw("runtime", "info", "yamlfull/version/latest", "-of", "runtime_yaml")).stdout;
    expect(yaml).toContain("  - files:\n      - dest: bin/hello.sh\n        src: scripts/hello.sh\n");
    const all = ok(await sw("runtime", "info", "venv1/t1", "-of", "all")).stdout;
    expect(all.match(/^== .* ==$/gm)).toEqual([
      "== basic ==",
      "== runtime.yaml ==",
      "== _manifest.yaml ==",
      "== lock ==",
    ]);
    expect(all).toContain(`version:  ${venv1[2]}`);
  });

  it("prints every section with -o json -of all (DESIGN difference 6), for the version asked for", async () => {
    const info = await json<RuntimeInfoJson>("runtime", "info", "venv1/v1", "-of", "all");
    expect(info.basic).toMatchObject({
      name: "venv1",
      version: venv1[1],
      tags: ["v1"],
      snapshot_workdir: null,
    });
    expect(info.runtime_yaml).toContain("name: demo");
    expect(info.manifest).toMatchObject({ version: demo, environment: { mode: "venv" } });
    expect(Object.keys(info.lock ?? {})).toEqual(["dependencies/.starwhale/lock/requirements-sw-lock.txt"]);
    const basic = await json<RuntimeInfoJson>("runtime", "info", "demo");
    expect(Object.keys(basic)).toEqual(["basic"]);
  });

  it("reads the extracted snapshot once there is one", async () => {
    ok(await sw("runtime", "extract", "demo"));
    const snapshot = join(box.storage, "self/workdir/runtime/demo/nl", demo);
    writeFileSync(join(snapshot, "runtime.yaml"), "name: edited\n");
    expect(ok(await sw("runtime", "info", "demo", "-of", "runtime_yaml")).stdout).toBe("name: edited\n");
    expect((await json<RuntimeInfoJson>("runtime", "info", "demo")).basic.snapshot_workdir).toBe(snapshot);
  });
});

describe("tag", () => {
  it("lists, adds, moves with -f and removes tags; Starwhale's index stays readable", async () => {
    expect(await json<RuntimeTagsJson>("runtime", "tag", "venv1/v2")).toEqual({
      name: "venv1",
      version: venv1[2],
      tags: ["v2", "Abc-1.2_x", "t1"],
    });
    expect(ok(await sw("runtime", "tag", "venv1", "prod", "exp.1")).stdout).toBe(
      `added prod, exp.1\nvenv1/version/${venv1[3].slice(0, 12)}: latest, v3, exp.1, prod\n`,
    );
    expectOneLineError(
      await sw("runtime", "tag", "venv1/v0", "prod"),
      `tag "prod" is already on version ${venv1[3].slice(0, 12)} of venv1`,
    );
    ok(await sw("runtime", "tag", "venv1/v0", "prod", "-f"));
    ok(await sw("runtime", "tag", "venv1", "-r", "t1"));
    expect(tagIndex()).toMatchObject({
      fast_tag_seq: 3,
      tags: { prod: venv1[0], "exp.1": venv1[3], "Abc-1.2_x": venv1[2], latest: venv1[3] },
      versions: { [venv1[0]]: { v0: true, prod: true }, [venv1[2]]: { v2: true, "Abc-1.2_x": true } },
    });
    expect(tagIndex().tags.t1).toBeUndefined();
  });

  it("refuses built-in and unknown tags with one line; -q skips them", async () => {
    expectOneLineError(
      await sw("runtime", "tag", "demo", "latest"),
      'tag "latest" is built in (latest and vN are managed automatically)',
    );
    expectOneLineError(
      await sw("runtime", "tag", "venv1", "v9"),
      'tag "v9" is built in (latest and vN are managed automatically)',
    );
    expectOneLineError(await sw("runtime", "tag", "venv1", "-r", "nope"), 'runtime venv1 has no tag "nope"');
    const quiet = await json<RuntimeTagsJson>("runtime", "tag", "venv1", "-r", "nope", "t1", "-q");
    expect(quiet.skipped).toEqual(["nope"]);
    expect(tagIndex().tags.t1).toBeUndefined();
  });

  it("lets two swcli processes tag the same runtime at once: both succeed, the index keeps every tag", async () => {
    const rounds = 4;
    const runs = await Promise.all(
      Array.from({ length: rounds }, (_, i) => [
        collect(box.start(["runtime", "tag", "venv1/v0", `a${i}`])),
        collect(box.start(["runtime", "tag", "venv1/v1", `b${i}`])),
      ]).flat(),
    );
    for (const run of runs) ok(run);
    const index = tagIndex();
    for (let i = 0; i < rounds; i++) {
      expect(index.tags[`a${i}`]).toBe(venv1[0]);
      expect(index.tags[`b${i}`]).toBe(venv1[1]);
    }
    expect(index.tags.t1).toBe(venv1[2]);
    expect(readdirSync(join(box.storage, "self/runtime/venv1")).filter((n) => n.includes("swtmp"))).toEqual(
      [],
    );
  }, 60_000);
});

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
    expect(first.stdout).toMatch(/^extract: started \(30\.0 KiB\)$/m);
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
    expect(run.stdout).toMatch(/^copy: started \(20\.0 KiB\)$/m);
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

  it("says that servers are not available yet", async () => {
    await mkdir(join(box.home, "config"), { recursive: true });
    writeFileSync(
      box.configFile,
      'version: "2.0"\ncurrent_instance: local\ninstances:\n  local: { uri: local, current_project: self }\n  prod: { uri: "https://hub.example.com", sw_token: t, current_project: ml }\n',
    );
    for (const args of [
      ["demo", "cloud://prod/project/ml"],
      ["cloud://prod/project/ml/runtime/x/version/v1", "."],
    ]) {
      expectOneLineError(
        await sw("runtime", "copy", ...args),
        "copying to or from a server is not available yet",
      );
    }
    expectOneLineError(
      await sw("runtime", "info", "cloud://prod/project/ml/runtime/x"),
      "swcli runtime info on a server instance (prod) is not available yet",
    );
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
