import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type {
  RuntimeHistoryItemJson,
  RuntimeInfoJson,
  RuntimeListItemJson,
  RuntimeTagsJson,
} from "./output/shapes";
import { demo, expectOneLineError, fillStarwhaleStore, venv1, yamlfull } from "./testing/starwhale-store";
import { buildSwcli, collect, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// list, history, info and tag, run as users run them: a real swcli process per command, on a store holding
// bundles and a tag index written by the real Starwhale 0.6.15.

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
