import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isAppError } from "@swhub/shared/errors";
import type { InstanceRef, UriContext } from "@swhub/shared/uri";
import { generateVersionId } from "@swhub/shared/version-id";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundlePath, type Store } from "../store/layout";
import { runtimeHistory } from "../store/queries";
import { storeResolver } from "../store/resolver";
import { addTags, registerVersion } from "../store/tags";
import { copyRuntime, resolveCopy } from "./copy";
import { localTransport } from "./local";

const fixtures = join(import.meta.dirname, "../../test-fixtures/starwhale-0.6.15");
const ctx: UriContext = {
  currentInstance: "local",
  instances: {
    local: { uri: "local", currentProject: "self" },
    prod: { uri: "https://hub.example.com", currentProject: "ml" },
  },
};
let store: Store;

beforeEach(async () => {
  store = { root: await mkdtemp(join(tmpdir(), "swhub-copy-")) };
});
afterEach(async () => {
  await rm(store.root, { recursive: true, force: true });
});

async function addVersion(name: string, tags: string[] = [], project = "self") {
  const version = generateVersionId();
  const path = bundlePath(store, project, name, version);
  await mkdir(dirname(path), { recursive: true });
  await copyFile(join(fixtures, "demo.swrt"), path);
  await registerVersion(store, project, name, version, tags);
  return version;
}

const resolverFor = (instance: InstanceRef) => {
  if (instance.uri !== "local") throw new Error(`no resolver for ${instance.alias}`);
  return storeResolver(store);
};

async function copy(
  src: string,
  dest: string,
  options: Parameters<typeof copyRuntime>[2] & { dlp?: string } = {},
) {
  const plan = await resolveCopy(src, dest, ctx, resolverFor, { destLocalProject: options.dlp });
  return copyRuntime(localTransport(store), plan, options);
}

const history = async (name: string, project = "self") =>
  (await runtimeHistory(store, project, name)).map((v) => [v.version, v.tags]);

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.message;
    throw error;
  }
  throw new Error("expected an error");
}

describe("copy on the standalone instance", () => {
  it("copies latest to another project and name: same bytes, its own v0 and latest, the user tags", async () => {
    await addVersion("a", ["t0"]);
    const v = await addVersion("a", ["t1", "t2"]);
    const result = await copy("local/project/self/runtime/a/version/latest", "local/project/other/b");
    expect(result).toMatchObject({ status: "copied", tags: ["t1", "t2"], skippedTags: [] });
    expect(result.dest).toMatchObject({ project: "other", name: "b", version: v });
    expect(await history("b", "other")).toEqual([[v, ["latest", "v0", "t1", "t2"]]]);
    const [ours, theirs] = await Promise.all([
      readFile(bundlePath(store, "self", "a", v)),
      readFile(bundlePath(store, "other", "b", v)),
    ]);
    expect(theirs.equals(ours)).toBe(true);
  });

  it("keeps the name with '.', goes to -dlp's project, and leaves out ignored tags", async () => {
    const v = await addVersion("a", ["keep", "drop"]);
    await expect(copy("a", ".", { dlp: "other", ignoreTags: ["drop"] })).resolves.toMatchObject({
      tags: ["keep"],
    });
    expect(await history("a", "other")).toEqual([[v, ["latest", "v0", "keep"]]]);
  });

  it("numbers a copy after the destination's own versions", async () => {
    const existing = await addVersion("b", [], "other");
    const v = await addVersion("a");
    await copy("a", "local/project/other/b");
    expect(await history("b", "other")).toEqual([
      [v, ["latest", "v1"]],
      [existing, ["v0"]],
    ]);
  });

  it("skips a version the destination has, still copying its tags; -f overwrites and moves tags", async () => {
    const v = await addVersion("a", ["t1"]);
    await copy("a", "b");
    await addTags(store, "self", "a", v, ["t2"]);
    const other = await addVersion("b", ["t2"]);
    const skipped = await copy(`a/${v.slice(0, 6)}`, "b");
    // t2 is on another version of b: left alone without -f.
    expect(skipped).toMatchObject({ status: "skipped", tags: ["t1"], skippedTags: ["t2"] });
    expect(await history("b")).toEqual([
      [other, ["latest", "v1", "t2"]],
      [v, ["v0", "t1"]],
    ]);
    const forced = await copy(`a/version/${v}`, "b", { force: true });
    expect(forced).toMatchObject({ status: "overwritten", tags: ["t1", "t2"], skippedTags: [] });
    expect(await history("b")).toEqual([
      [other, ["latest", "v1"]],
      [v, ["v0", "t1", "t2"]],
    ]);
  });

  it("refuses to copy a runtime onto itself", async () => {
    await addVersion("a");
    expect(await errorOf(copy("a", "."))).toBe(
      "the source and the destination are the same runtime (self/a)",
    );
  });

  it("reports a source that does not resolve", async () => {
    expect(await errorOf(copy("nope", "b"))).toBe('no runtime named "nope" in project "self"');
    await addVersion("a");
    expect(await errorOf(copy("a/version/t9", "b"))).toBe(
      'local/project/self/runtime/a has no version or tag "t9"',
    );
  });
});
