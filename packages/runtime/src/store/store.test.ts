import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isAppError } from "@swhub/shared/errors";
import { parseResourceUri, resolveResourceUri, type UriContext } from "@swhub/shared/uri";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bundlePath, type Store, snapshotDir, tagIndexPath } from "./layout";
import { collectGarbage, recoverVersions, removeVersions } from "./lifecycle";
import { listVersions, runtimeHistory } from "./queries";
import { storeResolver } from "./resolver";
import { addTags, registerVersion, removeTags } from "./tags";

const fixtures = join(import.meta.dirname, "../../test-fixtures/starwhale-0.6.15");
const ctx: UriContext = {
  currentInstance: "local",
  instances: { local: { uri: "local", currentProject: "self" } },
};
let store: Store;

beforeEach(async () => {
  store = { root: await mkdtemp(join(tmpdir(), "swhub-store-")) };
});
afterEach(async () => {
  await rm(store.root, { recursive: true, force: true });
});

/** Puts a bundle file in place and registers it, as build and copy do. Times make the order visible. */
async function addVersion(
  name: string,
  tags: string[] = [],
  project = "self",
  version = generateVersionId(),
) {
  const path = bundlePath(store, project, name, version);
  await mkdir(dirname(path), { recursive: true });
  await copyFile(join(fixtures, "demo.swrt"), path);
  await mkdir(snapshotDir(store, project, name, version), { recursive: true });
  await registerVersion(store, project, name, version, tags);
  return version;
}

const resolve = (uri: string, removed = false) =>
  resolveResourceUri(parseResourceUri(uri, ctx), storeResolver(store, { removed })).then((u) => u.version);

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected an error");
}

describe("versions and auto tags", () => {
  it("numbers versions v0, v1, … and moves latest to the newest", async () => {
    const a = await addVersion("mnist", ["t1"]);
    const b = await addVersion("mnist");
    expect(await resolve("mnist")).toBe(b);
    expect(await resolve("mnist/v0")).toBe(a);
    expect(await resolve("mnist/version/v1")).toBe(b);
    expect(await resolve("mnist/t1")).toBe(a);
    expect(await resolve(`mnist/${a.slice(0, 6)}`)).toBe(a);
    const history = await runtimeHistory(store, "self", "mnist");
    expect(history.map((h) => [h.version, h.tags])).toEqual([
      [b, ["latest", "v1"]],
      [a, ["v0", "t1"]],
    ]);
  });

  it("writes an index Starwhale can read: sorted keys, both maps, fast_tag_seq", async () => {
    const a = await addVersion("mnist", ["t1"]);
    const text = await readFile(tagIndexPath(store, "self", "mnist"), "utf8");
    const index = parse(text);
    expect(Object.keys(index)).toEqual(["fast_tag_seq", "name", "tags", "typ", "updated_at", "versions"]);
    expect(index).toMatchObject({
      fast_tag_seq: 0,
      name: "mnist",
      typ: "runtime",
      tags: { latest: a, t1: a, v0: a },
    });
    expect(index.versions[a]).toEqual({ latest: true, t1: true, v0: true });
    expect(index.updated_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  });

  it("continues a Starwhale store's numbering and never reuses a number", async () => {
    const index = await readFile(join(fixtures, "venv1.tag-manifest.yaml"), "utf8");
    await mkdir(dirname(tagIndexPath(store, "self", "venv1")), { recursive: true });
    await writeFile(tagIndexPath(store, "self", "venv1"), index);
    const v = await addVersion("venv1");
    expect((await runtimeHistory(store, "self", "venv1"))[0]?.tags).toEqual(["latest", "v4"]);
    await removeVersions(store, "self", "venv1", v, { force: true });
    await addVersion("venv1");
    expect((await runtimeHistory(store, "self", "venv1"))[0]?.tags).toEqual(["latest", "v5"]);
  });

  it("many concurrent registrations all get distinct numbers and the index stays whole", async () => {
    const versions = await Promise.all(Array.from({ length: 12 }, () => addVersion("busy")));
    const history = await runtimeHistory(store, "self", "busy");
    const numbers = history.flatMap((h) => h.tags.filter((t) => /^v\d+$/.test(t)));
    expect(new Set(numbers).size).toBe(12);
    expect(new Set(history.map((h) => h.version))).toEqual(new Set(versions));
  });
});

describe("remove and recover (DESIGN.md difference 3)", () => {
  it("removing the latest version moves latest back; recovering brings it and its tags back", async () => {
    const a = await addVersion("mnist");
    const b = await addVersion("mnist", ["prod"]);
    await removeVersions(store, "self", "mnist", b);
    expect(await resolve("mnist")).toBe(a);
    expect(await errorOf(resolve("mnist/prod"))).toMatch(/not_found: .* has no version or tag "prod"/);
    expect((await runtimeHistory(store, "self", "mnist")).map((h) => h.version)).toEqual([a]);
    await recoverVersions(store, "self", "mnist", b);
    expect(await resolve("mnist")).toBe(b);
    expect(await resolve("mnist/prod")).toBe(b);
  });

  it("remove NAME removes every version; recover NAME brings them all back", async () => {
    const a = await addVersion("mnist");
    const b = await addVersion("mnist");
    const removed = await removeVersions(store, "self", "mnist", undefined);
    expect(removed.versions.sort()).toEqual([a, b].sort());
    expect(await errorOf(resolve("mnist"))).toMatch(/not_found: no runtime named "mnist"/);
    const listed = await listVersions(store, { project: "self", showRemoved: true });
    expect(listed.items.map((i) => [i.version, i.removed])).toEqual([
      [b, true],
      [a, true],
    ]);
    expect((await listVersions(store, { project: "self" })).total).toBe(0);
    await recoverVersions(store, "self", "mnist", undefined);
    expect(await resolve("mnist")).toBe(b);
  });

  it("removed versions resolve by prefix and tag among the recycle area", async () => {
    const a = await addVersion("mnist", ["old"]);
    await addVersion("mnist");
    await removeVersions(store, "self", "mnist", a);
    expect(await resolve(`mnist/${a.slice(0, 5)}`, true)).toBe(a);
    expect(await resolve("mnist/old", true)).toBe(a);
  });

  it("a version that exists again is overwritten only with force", async () => {
    const a = await addVersion("mnist");
    await removeVersions(store, "self", "mnist", a);
    await addVersion("mnist", [], "self", a);
    expect(await errorOf(recoverVersions(store, "self", "mnist", a))).toMatch(/conflict: .* exists again/);
    await recoverVersions(store, "self", "mnist", a, { force: true });
  });

  it("force removes for good: nothing to recover, and the tags are gone", async () => {
    const a = await addVersion("mnist", ["t1"]);
    await removeVersions(store, "self", "mnist", a, { force: true });
    expect(await errorOf(recoverVersions(store, "self", "mnist", a))).toMatch(/not_found/);
    const index = parse(await readFile(tagIndexPath(store, "self", "mnist"), "utf8"));
    expect(index.tags).toEqual({});
  });

  it("gc empties the recycle area, and a dry run only reports", async () => {
    const a = await addVersion("mnist");
    const b = await addVersion("other");
    await removeVersions(store, "self", "mnist", a);
    expect((await collectGarbage(store, { dryRun: true })).versions.map((v) => v.version)).toEqual([a]);
    expect(await resolve(`mnist/${a}`, true)).toBe(a);
    await collectGarbage(store);
    expect(await errorOf(recoverVersions(store, "self", "mnist", a))).toMatch(/not_found/);
    expect(await resolve("other")).toBe(b);
  });

  it("removing what does not exist says so", async () =>
    expect(await errorOf(removeVersions(store, "self", "nothing", undefined))).toBe(
      'not_found: runtime nothing does not exist in project "self"',
    ));
});

describe("user tags", () => {
  it("a tag held by another version moves only with force", async () => {
    const a = await addVersion("mnist", ["prod"]);
    const b = await addVersion("mnist");
    expect(await errorOf(addTags(store, "self", "mnist", b, ["prod"]))).toMatch(
      /conflict: tag "prod" is already on version/,
    );
    await addTags(store, "self", "mnist", b, ["prod"], { force: true });
    expect(await resolve("mnist/prod")).toBe(b);
    expect((await runtimeHistory(store, "self", "mnist")).find((h) => h.version === a)?.tags).toEqual(["v0"]);
  });
  it("built-in tags are refused, or skipped with quiet", async () => {
    const a = await addVersion("mnist");
    expect(await errorOf(addTags(store, "self", "mnist", a, ["latest"]))).toMatch(
      /invalid_input: tag "latest" is built in/,
    );
    expect(await errorOf(addTags(store, "self", "mnist", a, ["v9"]))).toMatch(/built in/);
    expect(await addTags(store, "self", "mnist", a, ["v9", "ok"], { quiet: true })).toEqual({
      skipped: ["v9"],
    });
    expect(await resolve("mnist/ok")).toBe(a);
  });
  it("removing an unknown tag is an error unless quiet", async () => {
    await addVersion("mnist", ["t1"]);
    expect(await errorOf(removeTags(store, "self", "mnist", ["nope"]))).toBe(
      'not_found: runtime mnist has no tag "nope"',
    );
    expect(await removeTags(store, "self", "mnist", ["nope", "t1"], { quiet: true })).toEqual({
      skipped: ["nope"],
    });
    expect(await errorOf(resolve("mnist/t1"))).toMatch(/not_found/);
  });
});

describe("list", () => {
  it("filters by name prefix and latest, and pages", async () => {
    for (const name of ["alpha", "beta", "alpine"]) {
      await addVersion(name);
      await addVersion(name);
    }
    const all = await listVersions(store, { project: "self" });
    expect(all.total).toBe(6);
    expect(all.items.map((i) => i.name)).toEqual(["alpha", "alpha", "alpine", "alpine", "beta", "beta"]);
    const latest = await listVersions(store, { project: "self", latest: true, name: "al" });
    expect(latest.items.map((i) => i.name)).toEqual(["alpha", "alpine"]);
    const page2 = await listVersions(store, { project: "self", page: 2, size: 4 });
    expect(page2.items.map((i) => i.name)).toEqual(["beta", "beta"]);
    expect(await listVersions(store, { project: "self", owner: "someone-else" })).toMatchObject({ total: 0 });
  });
});
