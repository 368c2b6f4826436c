import { describe, expect, it } from "vitest";
import { parseLine, usageErrorOf } from "../../test-support";
import type { CopyOptions } from "./copy";

const v = "ge3tkylgha2tenrtmftdgyjzni3dayq";
const copy = (options: Partial<CopyOptions> & Pick<CopyOptions, "src" | "dest">) => ({
  command: "runtime copy",
  options: { force: false, destLocalProject: undefined, ignoreTags: [], ...options },
});

// Parsing passes the URIs through untouched (the URI grammar resolves them later); what matters here is that
// every documented line parses, wherever its options sit, into the right fields.
describe("runtime copy: the seed's examples", () => {
  const examples: [string, Parameters<typeof copy>[0]][] = [
    [
      `swcli runtime cp cloud://pre-k8s/project/mnist/mnist-cloud/version/${v} local/project/myproject/mnist-local`,
      {
        src: `cloud://pre-k8s/project/mnist/mnist-cloud/version/${v}`,
        dest: "local/project/myproject/mnist-local",
      },
    ],
    [
      `swcli runtime cp cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/${v} .`,
      { src: `cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/${v}`, dest: "." },
    ],
    [
      `swcli runtime cp cloud://pre-k8s/project/mnist/mnist-cloud/version/${v} . -dlp myproject`,
      {
        src: `cloud://pre-k8s/project/mnist/mnist-cloud/version/${v}`,
        dest: ".",
        destLocalProject: "myproject",
      },
    ],
    [
      `swcli runtime cp cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/${v} mnist-local`,
      { src: `cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/${v}`, dest: "mnist-local" },
    ],
    [
      `swcli runtime cp cloud://pre-k8s/project/mnist/mnist-cloud/version/${v} mnist-local -dlp myproject`,
      {
        src: `cloud://pre-k8s/project/mnist/mnist-cloud/version/${v}`,
        dest: "mnist-local",
        destLocalProject: "myproject",
      },
    ],
    [
      "swcli runtime cp mnist-local/version/latest cloud://pre-k8s/project/mnist/mnist-cloud",
      { src: "mnist-local/version/latest", dest: "cloud://pre-k8s/project/mnist/mnist-cloud" },
    ],
    [
      "swcli runtime cp mnist-local/version/latest cloud://pre-k8s/project/mnist",
      { src: "mnist-local/version/latest", dest: "cloud://pre-k8s/project/mnist" },
    ],
    [
      "swcli runtime cp mnist-local/version/latest pre-k8s/project/mnist",
      { src: "mnist-local/version/latest", dest: "pre-k8s/project/mnist" },
    ],
    [
      "swcli runtime cp local/project/myproject/runtime/mnist-local/version/latest cloud://pre-k8s/project/mnist",
      {
        src: "local/project/myproject/runtime/mnist-local/version/latest",
        dest: "cloud://pre-k8s/project/mnist",
      },
    ],
    // From Starwhale's own `copy --help`.
    [
      "swcli runtime cp pytorch cloud://cloud.starwhale.cn/project/starwhale:public --ignore-tag t1",
      { src: "pytorch", dest: "cloud://cloud.starwhale.cn/project/starwhale:public", ignoreTags: ["t1"] },
    ],
  ];
  it.each(examples)("%s", (line, expected) => {
    expect(parseLine(line)).toMatchObject(copy(expected));
  });
});

describe("runtime copy: the spec's copy table (§5)", () => {
  const remote = `cloud://pre-bare/project/myproject/runtime/pytorch/version/${v}`;
  const rows: [string[], Parameters<typeof copy>[0]][] = [
    [[remote, "pytorch-alias"], { src: remote, dest: "pytorch-alias" }],
    [
      [remote, "pytorch-alias", "-dlp", "myproject"],
      { src: remote, dest: "pytorch-alias", destLocalProject: "myproject" },
    ],
    [[remote, "."], { src: remote, dest: "." }],
    [
      [remote, ".", "--dest-local-project", "myproject"],
      { src: remote, dest: ".", destLocalProject: "myproject" },
    ],
    [
      [remote, "local/project/self/pytorch-new-alias"],
      { src: remote, dest: "local/project/self/pytorch-new-alias" },
    ],
  ];
  for (const src of [
    `local/project/self/mnist/version/${v}`,
    "mnist",
    `mnist/version/${v}`,
    `mnist/${v.slice(0, 5)}`,
  ]) {
    for (const dest of [
      "cloud://pre-bare/project/mnist",
      "pre-bare/project/mnist",
      "http://1.1.1.1:8182/project/mnist",
    ]) {
      rows.push([[src, dest], { src, dest }]);
    }
  }
  for (const dest of [
    "cloud://pre-bare/project/mnist/mnist-new-alias",
    "cloud://pre-bare/project/mnist/mnist-new-alias/version/foo",
    "cloud://pre-bare/project/mnist/mnist-new-alias/foo",
    "cloud://pre-bare/project/mnist/runtime/mnist-alias",
  ]) {
    rows.push([["mnist/v1", dest], { src: "mnist/v1", dest }]);
  }
  it.each(rows)("copy %j", (args, expected) => {
    expect(parseLine(["runtime", "copy", ...args])).toMatchObject(copy(expected));
  });

  it("takes -f, and -i more than once, before or after the URIs", () => {
    expect(
      parseLine("swcli runtime copy -f -i t1 mnist/v1 cloud://pre-bare/project/mnist --ignore-tag t2"),
    ).toMatchObject(
      copy({
        src: "mnist/v1",
        dest: "cloud://pre-bare/project/mnist",
        force: true,
        ignoreTags: ["t1", "t2"],
      }),
    );
  });

  it("needs both SRC and DEST", () => {
    const error = usageErrorOf("swcli runtime cp mnist/v1");
    expect(error.message).toBe("missing required argument 'dest'");
    expect(error.usage).toBe("swcli runtime copy|cp [options] <src> <dest>");
  });
});
