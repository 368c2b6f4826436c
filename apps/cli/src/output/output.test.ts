import Table from "cli-table3";
import { describe, expect, it } from "vitest";
import { createOutput } from "./output";
import { renderTable } from "./table";

function capture(json: boolean, verbosity = 0) {
  const streams = { out: "", err: "" };
  const output = createOutput({
    json,
    verbosity,
    Table,
    stdout: { write: (text: string) => (streams.out += text) },
    stderr: { write: (text: string) => (streams.err += text) },
  });
  return { output, streams };
}

describe("renderTable", () => {
  it("aligns columns with two spaces, right-aligns where asked, and leaves no trailing spaces", () => {
    const text = renderTable(
      Table,
      [{ header: "name" }, { header: "version" }, { header: "size", align: "right" }, { header: "tags" }],
      [
        ["mnist", "nlkdjrzz3jlh", "20.0 KiB", "latest, v0"],
        ["pytorch-runtime", "iil4cw7kf7k4", "1.5 MiB", ""],
      ],
    );
    expect(text).toBe(
      [
        "NAME             VERSION           SIZE  TAGS",
        "mnist            nlkdjrzz3jlh  20.0 KiB  latest, v0",
        "pytorch-runtime  iil4cw7kf7k4   1.5 MiB",
      ].join("\n"),
    );
  });
});

describe("createOutput", () => {
  it("in human mode prints the result through the renderer on stdout", () => {
    const { output, streams } = capture(false);
    output.result({ name: "mnist" }, (data) => output.line(`name: ${data.name}`));
    output.notice("config regenerated");
    expect(streams).toEqual({ out: "name: mnist\n", err: "notice: config regenerated\n" });
  });

  it("in JSON mode prints only the JSON document on stdout and every line on stderr", () => {
    const { output, streams } = capture(true);
    output.line("copying...");
    output.table([{ header: "a" }], [["1"]]);
    output.result([{ name: "mnist", size: 20480 }], () => output.line("never called"));
    output.warn("slow mirror");
    expect(JSON.parse(streams.out)).toEqual([{ name: "mnist", size: 20480 }]);
    expect(streams.err).toBe("copying...\nA\n1\nwarning: slow mirror\n");
  });

  it("refuses a second JSON document, which would break parsers", () => {
    const { output } = capture(true);
    output.result(1, () => {});
    expect(() => output.result(2, () => {})).toThrow("more than one JSON result");
  });

  it("prints debug lines only with -v", () => {
    const quiet = capture(false);
    quiet.output.debug("resolved mnist");
    const verbose = capture(false, 1);
    verbose.output.debug("resolved mnist");
    expect([quiet.streams.err, verbose.streams.err]).toEqual(["", "debug: resolved mnist\n"]);
  });
});
