import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { type RuntimeResolver, resolveResourceUri } from "./resolve";
import { parseResourceUri } from "./resource";
import type { UriContext } from "./types";

const ctx: UriContext = {
  currentInstance: "local",
  instances: { local: { uri: "local", currentProject: "self" } },
};
const MNIST = "rmnfvqjrozps2ybnwamd3bailizz2qtcqidjskhv";
const MNIST_OLD = "rmaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const OTHER = "foo4qaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TWIN_A = "twinaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TWIN_B = "twinbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/** A store as plain data: project → runtime → {versions, tags}. The logic under test is only the resolution. */
function storeOf(
  data: Record<string, Record<string, { versions: string[]; tags: Record<string, string> }>>,
): RuntimeResolver {
  return {
    async runtimeExists(project, name) {
      return Boolean(data[project]?.[name]);
    },
    async tags(project, name) {
      return data[project]?.[name]?.tags ?? {};
    },
    async versionsWithPrefix(project, name, prefix) {
      const runtimes = Object.entries(data[project] ?? {}).filter(([n]) => name === undefined || n === name);
      return runtimes.flatMap(([n, r]) =>
        r.versions.filter((v) => v.startsWith(prefix)).map((version) => ({ name: n, version })),
      );
    },
  };
}

const store = storeOf({
  self: {
    mnist: { versions: [MNIST, MNIST_OLD], tags: { latest: MNIST, v0: MNIST_OLD, v1: MNIST, t1: MNIST } },
    other: { versions: [OTHER], tags: { latest: OTHER, v0: OTHER } },
    twins: { versions: [TWIN_A], tags: { latest: TWIN_A } },
    twins2: { versions: [TWIN_B], tags: { latest: TWIN_B } },
    // A runtime whose name looks like a version prefix: the name wins.
    foo4: { versions: [], tags: {} },
  },
});

const resolve = (input: string, options = { defaultVersion: "latest" as string | undefined }) =>
  resolveResourceUri(parseResourceUri(input, ctx, { type: "runtime" }), store, options);
const everyVersion = { defaultVersion: undefined };

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error("expected an error");
}

describe("resolution (spec §1.5 #5–#8, #11–#13, with DESIGN.md difference 2)", () => {
  it("#5 a name alone resolves to latest", async () => expect((await resolve("mnist")).version).toBe(MNIST));
  it("#6 tags: latest, vN, user tags", async () => {
    expect((await resolve("mnist/version/latest")).version).toBe(MNIST);
    expect((await resolve("mnist/version/v0")).version).toBe(MNIST_OLD);
    expect((await resolve("mnist/t1")).version).toBe(MNIST);
  });
  it("#7 unique prefixes of at least 4 characters", async () => {
    expect((await resolve("mnist/version/rmnfvqjroz")).version).toBe(MNIST);
    expect((await resolve("mnist/version/rmnf")).version).toBe(MNIST);
    expect((await resolve(`mnist/version/${MNIST}`)).version).toBe(MNIST);
  });
  it("an ambiguous prefix lists the candidates", async () =>
    expect(await errorOf(resolve("mnist/version/rm"))).toMatch(/too short: give at least 4/));
  it("an ambiguous 4+ prefix names its matches", async () => {
    const twinStore = storeOf({ self: { t: { versions: [TWIN_A, TWIN_B], tags: {} } } });
    const uri = parseResourceUri("t/version/twin", ctx);
    expect(await errorOf(resolveResourceUri(uri, twinStore))).toMatch(
      /"twin" matches 2 versions \(twinaaaaaaaa, twinbbbbbbbb\)/,
    );
  });
  it("#11 a bare word that is no runtime is a version prefix (at least 4 characters)", async () => {
    expect(await resolve("rmnfvq")).toMatchObject({ name: "mnist", version: MNIST, bareWord: false });
    expect(await errorOf(resolve("rmn"))).toMatch(/not_found: no runtime named "rmn"/);
  });
  it("a bare word that is a runtime name is the runtime, even if it is also a prefix", async () => {
    const uri = await resolve("foo4", everyVersion);
    expect(uri).toMatchObject({ name: "foo4" });
    expect(uri.version).toBeUndefined();
  });
  it("#12 a bare word that matches nothing", async () =>
    expect(await errorOf(resolve("nothing"))).toBe(
      'not_found: no runtime named "nothing" in project "self"',
    ));
  it("#13 a bare prefix that matches versions of two runtimes", async () =>
    expect(await errorOf(resolve("twin"))).toMatch(
      /"twin" matches 2 versions \(twins\/version\/twinaaaaaaaa, twins2\/version\/twinbbbbbbbb\)/,
    ));
  it("an unknown tag or version", async () =>
    expect(await errorOf(resolve("mnist/version/nope"))).toMatch(
      /not_found: local\/project\/self\/runtime\/mnist has no version or tag "nope"/,
    ));
  it("no default version keeps the version omitted, for commands that act on every version", async () => {
    const uri = await resolve("mnist", everyVersion);
    expect(uri.version).toBeUndefined();
  });
});
