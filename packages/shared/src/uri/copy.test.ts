import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { resolveCopyDestination } from "./copy";
import { parseResourceUri } from "./resource";
import type { UriContext } from "./types";

const ctx: UriContext = {
  currentInstance: "local",
  instances: {
    local: { uri: "local", currentProject: "self" },
    "pre-bare": { uri: "http://1.1.1.1:8182" },
    "pre-k8s": { uri: "https://pre-k8s.example.com" },
  },
};
const V = "ge3tkylgha2tenrtmftdgyjzni3dayq";
const remoteSrc = parseResourceUri(`cloud://pre-bare/project/myproject/runtime/pytorch/version/${V}`, ctx);
const localSrc = parseResourceUri("mnist/v1", ctx);

const dest = (src: typeof remoteSrc, input: string, dlp?: string) => {
  const d = resolveCopyDestination(src, input, ctx, dlp === undefined ? {} : { destLocalProject: dlp });
  return `${d.instance.alias}:${d.project}/${d.name}`;
};

describe("copy destinations (spec §5 table, test_runtime_copy_c2l / _l2c)", () => {
  it.each([
    ["pytorch-alias", undefined, "local:self/pytorch-alias"],
    ["pytorch-alias", "myproject", "local:myproject/pytorch-alias"],
    [".", undefined, "local:self/pytorch"],
    [".", "myproject", "local:myproject/pytorch"],
    ["", undefined, "local:self/pytorch"],
    ["local/project/self/pytorch-new-alias", undefined, "local:self/pytorch-new-alias"],
  ])("server → local: %j with -dlp %j", (input, dlp, expected) =>
    expect(dest(remoteSrc, input, dlp)).toBe(expected),
  );

  it.each([
    ["cloud://pre-bare/project/mnist", "pre-bare:mnist/mnist"],
    ["pre-bare/project/mnist", "pre-bare:mnist/mnist"],
    ["http://1.1.1.1:8182/project/mnist", "pre-bare:mnist/mnist"],
    ["cloud://pre-bare/project/mnist/mnist-new-alias", "pre-bare:mnist/mnist-new-alias"],
    ["cloud://pre-bare/project/mnist/mnist-new-alias/version/foo", "pre-bare:mnist/mnist-new-alias"],
    ["cloud://pre-bare/project/mnist/mnist-new-alias/foo", "pre-bare:mnist/mnist-new-alias"],
    ["cloud://pre-bare/project/mnist/runtime/mnist-alias", "pre-bare:mnist/mnist-alias"],
    ["http://1.1.1.1:8182/projects/mnist/runtimes", "pre-bare:mnist/mnist"],
  ])("local → server: %j", (input, expected) => expect(dest(localSrc, input)).toBe(expected));

  it("the seed's examples", () => {
    const src = parseResourceUri(`cloud://pre-k8s/project/mnist/mnist-cloud/version/${V}`, ctx);
    expect(dest(src, "local/project/myproject/mnist-local")).toBe("local:myproject/mnist-local");
    expect(dest(src, ".")).toBe("local:self/mnist-cloud");
    expect(dest(src, ".", "myproject")).toBe("local:myproject/mnist-cloud");
    expect(dest(src, "mnist-local")).toBe("local:self/mnist-local");
    expect(dest(src, "mnist-local", "myproject")).toBe("local:myproject/mnist-local");
    const latest = parseResourceUri("mnist-local/version/latest", ctx);
    expect(dest(latest, "cloud://pre-k8s/project/mnist/mnist-cloud")).toBe("pre-k8s:mnist/mnist-cloud");
    expect(dest(latest, "cloud://pre-k8s/project/mnist")).toBe("pre-k8s:mnist/mnist-local");
    expect(dest(latest, "pre-k8s/project/mnist")).toBe("pre-k8s:mnist/mnist-local");
    const full = parseResourceUri("local/project/myproject/runtime/mnist-local/version/latest", ctx);
    expect(dest(full, "cloud://pre-k8s/project/mnist")).toBe("pre-k8s:mnist/mnist-local");
  });
  it("local → local under another project and name (DESIGN.md difference 8)", () =>
    expect(
      dest(parseResourceUri("local/project/self/runtime/a/version/latest", ctx), "local/project/other/b"),
    ).toBe("local:other/b"));
  it("server → server", () =>
    expect(dest(remoteSrc, "cloud://pre-k8s/project/team")).toBe("pre-k8s:team/pytorch"));
  it("-dlp with a full destination is refused", () => {
    for (const input of ["local/project/self/x", "cloud://pre-bare/project/mnist"]) {
      try {
        dest(remoteSrc, input, "myproject");
        expect.unreachable();
      } catch (error) {
        expect(isAppError(error) && error.message).toMatch(/-dlp\) works only with a short destination/);
      }
    }
  });
});
