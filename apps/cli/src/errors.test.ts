import { AppError, notFound } from "@swhub/shared/errors";
import { describe, expect, it } from "vitest";
import { NotImplemented, renderError, UsageError } from "./errors";

function render(error: unknown, verbosity = 0) {
  let text = "";
  const code = renderError(error, { write: (chunk: string) => (text += chunk) }, verbosity);
  return { code, text };
}

describe("renderError", () => {
  it("prints a usage error with the command's usage line and exits 2", () => {
    expect(render(new UsageError("unknown option '--bogus'", "swcli runtime build [options]"))).toEqual({
      code: 2,
      text: "error: unknown option '--bogus'\nusage: swcli runtime build [options]\n",
    });
  });

  it("prints a missing handler as one line and exits 2", () => {
    expect(render(new NotImplemented("runtime build"))).toEqual({
      code: 2,
      text: "swcli runtime build: not implemented yet\n",
    });
  });

  it("prints an AppError and its hint, exit 1, no stack", () => {
    expect(render(notFound('no instance "x" is logged in', "log in first"))).toEqual({
      code: 1,
      text: 'error: no instance "x" is logged in\nhint: log in first\n',
    });
  });

  it("prints anything else as one internal-error line, exit 1, no stack", () => {
    const error = new TypeError(
      "Cannot read properties of undefined (reading 'x')\n    at somewhere (file.ts:1:1)",
    );
    expect(render(error)).toEqual({
      code: 1,
      text: "error: internal error: Cannot read properties of undefined (reading 'x')\n",
    });
    expect(render("a string was thrown")).toEqual({
      code: 1,
      text: "error: internal error: a string was thrown\n",
    });
  });

  it("adds the stack with -v", () => {
    const { code, text } = render(new RangeError("boom"), 1);
    expect(code).toBe(1);
    expect(text.split("\n")[0]).toBe("error: internal error: boom");
    expect(text).toMatch(/\n\s+at .*errors\.test\.ts/);
    expect(render(new AppError("conflict", "taken"), 1).text).toMatch(/^error: taken\n[\s\S]*\n\s+at /);
  });
});
