import { describe, expect, it } from "vitest";
import { parseRuntimeQuery, runtimeQueryString } from "./runtime-query";

describe("the runtimes list's URL state", () => {
  it("reads filters, sort and page, and writes them back without defaults", () => {
    const query = parseRuntimeQuery({
      q: "torch",
      owner: "alice",
      removed: "1",
      sort: "size",
      order: "asc",
      page: "3",
    });
    expect(query).toEqual({
      q: "torch",
      owner: "alice",
      removed: true,
      sort: "size",
      order: "asc",
      page: 3,
      size: 20,
    });
    expect(runtimeQueryString(query)).toBe("q=torch&owner=alice&removed=1&sort=size&order=asc&page=3");
    expect(runtimeQueryString(parseRuntimeQuery({}))).toBe("");
  });

  it("falls back to defaults for values a hand-edited URL gets wrong, instead of failing the page", () => {
    const query = parseRuntimeQuery({
      sort: "bogus",
      order: "up",
      page: "-2",
      size: "100000",
      removed: "yes",
    });
    expect(query).toMatchObject({ sort: undefined, order: undefined, page: 1, size: 20, removed: false });
    expect(parseRuntimeQuery({ q: ["a", "b"] }).q).toBe("a");
  });
});
