import { Option } from "commander";
import { describe, expect, it } from "vitest";
import { normalizeArgv } from "./argv";
import { createSwOption } from "./options";

const options: Option[] = [
  createSwOption("-cp, --conda-prefix <path>", ""),
  createSwOption("-del, --disable-env-lock", ""),
  createSwOption("-n, --name <name>", ""),
  createSwOption("-s, --shell", ""),
  new Option("--push <uri>"),
];

describe("normalizeArgv", () => {
  it.each([
    [
      ["-cp", "/x"],
      ["--cp", "/x"],
    ],
    [["-cp=/x"], ["--cp=/x"]],
    [
      ["-del", "-s"],
      ["--del", "-s"],
    ],
    // A value is never rewritten, whatever it looks like.
    [
      ["--name", "-cp"],
      ["--name", "-cp"],
    ],
    [
      ["-n", "-del"],
      ["-n", "-del"],
    ],
    [
      ["--push", "-cp", "-cp", "/x"],
      ["--push", "-cp", "--cp", "/x"],
    ],
    // Only this command's flags: -of is someone else's, -xyz nobody's.
    [
      ["-of", "basic", "-xyz"],
      ["-of", "basic", "-xyz"],
    ],
    // After `--` everything is an operand.
    [
      ["--", "-cp"],
      ["--", "-cp"],
    ],
    // Operands and options interleave on a leaf command.
    [
      ["src", "-cp", "/x", "dest"],
      ["src", "--cp", "/x", "dest"],
    ],
  ])("%j → %j", (input, expected) => {
    expect(normalizeArgv(input, options, false)).toEqual(expected);
  });

  it("leaves everything after the subcommand name to the subcommand", () => {
    expect(normalizeArgv(["-del", "build", "-cp", "/x"], options, true)).toEqual([
      "--del",
      "build",
      "-cp",
      "/x",
    ]);
  });

  it("keeps the seed's spelling for help and errors while commander sees a long flag", () => {
    const option = createSwOption("-cp, --conda-prefix <path>", "");
    expect({ flags: option.flags, short: option.short, long: option.long }).toEqual({
      flags: "-cp, --conda-prefix <path>",
      short: "--cp",
      long: "--conda-prefix",
    });
  });

  it("treats --no-cache as a switch of its own, not the negation of --cache", () => {
    const option = createSwOption("-nc, --no-cache", "");
    expect({
      negate: option.negate,
      attribute: option.attributeName(),
      isBoolean: option.isBoolean(),
    }).toEqual({
      negate: false,
      attribute: "noCache",
      isBoolean: true,
    });
  });
});
