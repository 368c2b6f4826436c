import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { parseConsoleUrl } from "./console-url";
import { consoleUrl, formatResourceUri } from "./format";
import { parseProjectUri } from "./project";
import { parseResourceUri } from "./resource";
import type { UriContext } from "./types";

// The configuration spec §1.5 uses, plus the seed's `pre-k8s`.
const ctx: UriContext = {
  currentInstance: "local",
  instances: {
    local: { uri: "local", currentProject: "self" },
    foo: { uri: "https://foo.com", currentProject: "starwhale" },
    bar: { uri: "https://bar.com" },
    dev: { uri: "http://127.0.0.1:8082" },
    "pre-bare": { uri: "http://1.1.1.1:8182" },
    "pre-k8s": { uri: "https://pre-k8s.example.com" },
  },
};
const local = { alias: "local", uri: "local" };
const V = "ge3tkylgha2tenrtmftdgyjzni3dayq";

const rt = (input: string) => parseResourceUri(input, ctx, { type: "runtime" });

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!isAppError(error)) throw error;
    return error.message;
  }
  throw new Error("expected an error");
}

describe("spec §1.5 examples", () => {
  it("#1 a bare name is a runtime in the current project, without a version", () => {
    const uri = rt("mnist");
    expect(uri).toMatchObject({
      instance: local,
      project: "self",
      type: "runtime",
      name: "mnist",
      bareWord: true,
    });
    expect(uri.version).toBeUndefined();
    // DESIGN.md difference 3: no version is not `latest`, so the canonical form prints none.
    expect(formatResourceUri(uri)).toBe("local/project/self/runtime/mnist");
  });
  it("#2 NAME/version/VERSION", () =>
    expect(rt("mnist/version/foo")).toMatchObject({ name: "mnist", version: "foo" }));
  it("#3 NAME/VERSION short form, even when NAME is also an alias", () =>
    expect(rt("foo/bar")).toMatchObject({ instance: local, name: "foo", version: "bar" }));
  it("#4 three parts without the version keyword", () =>
    expect(errorOf(() => rt("mnist/foo/bar"))).toMatch(/missing the version field.*mnist\/foo\/bar/));
  it("#9 a full URI names its type", () =>
    expect(parseResourceUri("local/project/self/dataset/mnist/version/foo", ctx)).toMatchObject({
      type: "dataset",
      name: "mnist",
      version: "foo",
      project: "self",
    }));
  it("#10 a full URI without a version", () => {
    const uri = parseResourceUri("local/project/self/dataset/mnist", ctx);
    expect(uri).toMatchObject({ type: "dataset", name: "mnist" });
    expect(uri.version).toBeUndefined();
  });
  it("#14 names with dashes", () => {
    expect(rt("mnist-dup/foo")).toMatchObject({ name: "mnist-dup", version: "foo" });
    expect(rt("mnist-dup/version/foo")).toMatchObject({ name: "mnist-dup", version: "foo" });
  });
  it("#15 ALIAS/project/P/NAME", () =>
    expect(rt("bar/project/self/mnist")).toMatchObject({
      instance: { alias: "bar", uri: "https://bar.com" },
      project: "self",
      name: "mnist",
    }));
  it("#16 local/project/P/NAME", () =>
    expect(rt("local/project/self/mnist")).toMatchObject({
      instance: local,
      project: "self",
      name: "mnist",
    }));
  it("#17 cloud://ALIAS/project/P/NAME", () =>
    expect(rt("cloud://bar/project/self/mnist")).toMatchObject({
      instance: { alias: "bar" },
      project: "self",
      name: "mnist",
    }));
  it("#18 cloud URI with a type, typed or not", () => {
    for (const type of [undefined, "dataset" as const]) {
      const uri = parseResourceUri("cloud://foo/project/starwhale/dataset/mnist", ctx, { type });
      expect(uri).toMatchObject({
        instance: { alias: "foo" },
        project: "starwhale",
        type: "dataset",
        name: "mnist",
      });
      expect(uri.version).toBeUndefined();
    }
  });
  it("#19 cloud URI with a version", () =>
    expect(parseResourceUri("cloud://foo/project/starwhale/dataset/mnist/version/123456", ctx)).toMatchObject(
      { version: "123456" },
    ));
  it("#20 a console list URL is a project with a type and no name", () => {
    expect(parseConsoleUrl("https://foo.com/projects/2/runtimes", ctx)).toEqual({
      instance: { alias: "foo", uri: "https://foo.com" },
      project: "2",
      type: "runtime",
    });
    expect(parseProjectUri("https://foo.com/projects/2/runtimes", ctx)).toMatchObject({
      project: "2",
      instance: { alias: "foo" },
    });
    expect(errorOf(() => rt("https://foo.com/projects/2/runtimes"))).toMatch(/names no runtime/);
  });
  it("#21 a console version URL with a tab", () =>
    expect(parseResourceUri("https://foo.com/projects/5/models/1/versions/2/files", ctx)).toMatchObject({
      project: "5",
      type: "model",
      name: "1",
      version: "2",
    }));
  it("#22 a console URL with a singular type word", () =>
    expect(errorOf(() => parseResourceUri("https://foo.com/projects/1/model", ctx))).toMatch(
      /not a resource list/,
    ));
  it("#23 a console URL on a host with a port", () =>
    expect(parseConsoleUrl("http://127.0.0.1:8082/projects/1/models", ctx)).toMatchObject({
      instance: { alias: "dev" },
      project: "1",
    }));
  it("#24 a project URI hands the rest of its path on", () =>
    expect(parseProjectUri("https://foo.com/project/bar/dataset/mnist/version/baz", ctx)).toMatchObject({
      instance: { alias: "foo" },
      project: "bar",
      rest: ["dataset", "mnist", "version", "baz"],
    }));
  it("#25 Starwhale's owner:project names", () =>
    expect(parseProjectUri("https://foo.com/project/sw:bar2", ctx)).toMatchObject({ project: "sw:bar2" }));
  it("#26 '//' inside a URI", () => {
    expect(errorOf(() => parseProjectUri("foo//project/myproject/dataset/mnist", ctx))).toMatch(
      /'\/\/' is not allowed/,
    );
    expect(errorOf(() => rt("foo//project/myproject/dataset/mnist"))).toMatch(/'\/\/' is not allowed/);
  });
  it("#27 ALIAS/project/P is too short for a runtime, but is a project", () => {
    expect(errorOf(() => rt("foo/project/self"))).toMatch(/missing the version field/);
    expect(parseProjectUri("foo/project/self", ctx)).toMatchObject({
      instance: { alias: "foo" },
      project: "self",
    });
  });
  it("#28 instance forms of project URIs", () => {
    expect(parseProjectUri("cloud://foo/baz", ctx)).toMatchObject({
      instance: { alias: "foo" },
      project: "baz",
    });
    expect(parseProjectUri("foo/baz", ctx)).toMatchObject({ instance: { alias: "foo" }, project: "baz" });
    expect(parseProjectUri("local/self", ctx)).toMatchObject({ instance: local, project: "self" });
  });
  it("#29 a URL that two aliases share is ambiguous", () => {
    const shared: UriContext = { ...ctx, instances: { ...ctx.instances, baz: { uri: "https://foo.com/" } } };
    expect(errorOf(() => parseProjectUri("https://foo.com/project/x", shared))).toMatch(
      /several aliases \(baz, foo\)/,
    );
  });
  it("#30, #31 tags and prefixes stay as typed until resolution", () => {
    expect(rt("mnist/v1")).toMatchObject({ name: "mnist", version: "v1" });
    expect(rt("mnist/ge3tk")).toMatchObject({ name: "mnist", version: "ge3tk" });
  });
  it("#32 the runtime/ segment is optional", () => {
    const a = rt(`local/project/self/mnist/version/${V}`);
    const b = rt(`local/project/self/runtime/mnist/version/${V}`);
    expect(a).toEqual(b);
  });
  it("#33 the seed's cloud://pre-k8s/project/runtime/mnist/mnist-cloud form (DESIGN.md difference 1)", () =>
    expect(rt(`cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/${V}`)).toMatchObject({
      instance: { alias: "pre-k8s" },
      project: "mnist",
      name: "mnist-cloud",
      version: V,
    }));
  it("#34 a version without a name", () =>
    expect(errorOf(() => rt("version/abc"))).toMatch(/gives a version but no runtime name/));
});

describe("the seed's URIs", () => {
  it("copy sources", () => {
    expect(rt(`cloud://pre-k8s/project/mnist/mnist-cloud/version/${V}`)).toMatchObject({
      instance: { alias: "pre-k8s" },
      project: "mnist",
      name: "mnist-cloud",
      version: V,
    });
    expect(rt("mnist-local/version/latest")).toMatchObject({
      instance: local,
      project: "self",
      name: "mnist-local",
      version: "latest",
    });
    expect(rt("local/project/myproject/runtime/mnist-local/version/latest")).toMatchObject({
      project: "myproject",
      name: "mnist-local",
      version: "latest",
    });
  });
  it("info and activate examples", () => {
    expect(rt("pytorch")).toMatchObject({ name: "pytorch", bareWord: true });
    expect(rt("pytorch/version/v0")).toMatchObject({ name: "pytorch", version: "v0" });
    expect(rt("pytorch/version/v1")).toMatchObject({ name: "pytorch", version: "v1" });
  });
  it("list projects", () => {
    expect(parseProjectUri("cloud://pre-k8s/project/mnist", ctx)).toMatchObject({
      instance: { alias: "pre-k8s" },
      project: "mnist",
    });
    expect(parseProjectUri("pre-k8s/project/mnist", ctx)).toMatchObject({
      instance: { alias: "pre-k8s" },
      project: "mnist",
    });
    expect(parseProjectUri("myproject", ctx)).toMatchObject({
      instance: local,
      project: "myproject",
      explicitInstance: false,
    });
    expect(parseProjectUri("", ctx)).toMatchObject({ instance: local, project: "self" });
  });
});

describe("console URLs", () => {
  it("our own console's pages parse back to the same runtime", () => {
    const uri = {
      instance: { alias: "foo", uri: "https://foo.com" },
      project: "demo",
      name: "mnist",
      version: V,
    };
    const url = consoleUrl(uri);
    expect(url).toBe(`https://foo.com/projects/demo/runtimes/mnist/versions/${V}/overview`);
    expect(rt(url)).toMatchObject(uri);
    expect(rt("https://foo.com/projects/demo/runtimes/mnist/versions")).toMatchObject({ name: "mnist" });
    expect(rt("https://foo.com/projects/demo/runtimes/mnist?tab=files")).toMatchObject({ name: "mnist" });
  });
  it("a URL whose host is not configured says how to log in", () =>
    expect(errorOf(() => rt("https://nope.example/projects/1/runtimes/x"))).toMatch(
      /no instance is configured for https:\/\/nope.example/,
    ));
});

describe("canonical form", () => {
  it.each([
    "local/project/self/runtime/mnist",
    `local/project/self/runtime/mnist/version/${V}`,
    "https://foo.com/project/demo/runtime/mnist/version/v3",
    "http://127.0.0.1:8082/project/1/runtime/x",
  ])("%s round-trips", (canonical) => expect(formatResourceUri(rt(canonical))).toBe(canonical));
  it("every spelling of one runtime has one canonical string", () => {
    const spellings = [
      "cloud://foo/project/demo/mnist/version/v3",
      "foo/project/demo/runtime/mnist/version/v3",
      "https://foo.com/project/demo/mnist/v3",
      "https://foo.com/projects/demo/runtimes/mnist/versions/v3/overview",
    ];
    const forms = new Set(spellings.map((s) => formatResourceUri(rt(s))));
    expect([...forms]).toEqual(["https://foo.com/project/demo/runtime/mnist/version/v3"]);
  });
});

describe("malformed input gets a precise error", () => {
  it.each([
    ["", /it is empty/],
    ["   ", /it is empty/],
    ["mnist/", /empty path segment/],
    ["/mnist", /empty path segment/],
    ["local/project//runtime/x", /'\/\/' is not allowed/],
    [
      "nosuch/project/self/runtime/mnist",
      /unknown instance "nosuch" \(configured: bar, dev, foo, local, pre-bare, pre-k8s\)/,
    ],
    ["cloud://nosuch/project/self/mnist", /unknown instance "nosuch"/],
    ["cloud:///project/self/mnist", /missing the instance alias/],
    [`${"a".repeat(81)}`, /too long \(81 characters, at most 80\)/],
    ["mn ist", /character " " is not allowed/],
    ["mn$ist/version/v1", /character "\$" is not allowed/],
    ["1mnist", /character "1" is not allowed/],
    ["mnist/version/bad$tag", /not a valid version/],
    ["local/project/self/dataset/mnist", /names a dataset, but a runtime is expected/],
    ["local/project/self/runtime/a/b/c/d", /too many segments/],
    ["ftp://x/project/self/mnist", /unsupported scheme/],
    ["cloud://foo/demo/mnist", /expected INSTANCE\/project\/PROJECT/],
    ["local/project/bad$name/mnist", /not a valid project name/],
  ])("%j", (input, message) => expect(errorOf(() => rt(input))).toMatch(message));

  it("errors name the URI and never escape as plain exceptions", () => {
    expect(errorOf(() => rt("mnist/foo/bar"))).toMatch(/^invalid URI "mnist\/foo\/bar": /);
  });
  it("a numeric runtime id is fine on a server but not as a local name", () => {
    expect(rt("cloud://foo/project/1/runtime/101")).toMatchObject({ name: "101" });
    expect(errorOf(() => rt("101"))).toMatch(/runtime name "101" is invalid/);
  });
  it("an instance without a current project", () =>
    expect(errorOf(() => parseProjectUri("cloud://bar", ctx))).toMatch(
      /instance "bar" has no current project/,
    ));
});
