import { describe, expect, it } from "vitest";
import { directReference, editableProjectDir, parseDirectUrl } from "./direct-url";
import {
  metadataValue,
  metadataValues,
  parseMetadata,
  requiresTxtExtras,
  requiresTxtToRequiresDist,
} from "./metadata";

describe("parseMetadata", () => {
  const text = [
    "Metadata-Version: 2.1",
    "Name: Foo.Bar",
    "Version: 1.0",
    "Summary: first line",
    "  continued",
    "\tand more",
    "Requires-Dist: beta>=2",
    "requires-dist: gamma ; extra == 'fast'",
    "License: MIT",
    "",
    "Requires-Dist: not-a-header-this-is-the-description",
  ].join("\n");
  const metadata = parseMetadata(text);

  it("reads headers case-insensitively, repeated ones in order", () => {
    expect(metadataValue(metadata, "name")).toBe("Foo.Bar");
    expect(metadataValues(metadata, "Requires-Dist")).toEqual(["beta>=2", "gamma ; extra == 'fast'"]);
  });

  it("keeps continuation lines with their line breaks, as Python's email parser does", () => {
    expect(metadataValue(metadata, "Summary")).toBe("first line\n  continued\n\tand more");
  });

  it("stops at the blank line before the description", () => {
    expect(metadataValues(metadata, "Requires-Dist")).not.toContain("not-a-header-this-is-the-description");
  });

  it("stops at the first line that is not a header", () => {
    expect(metadataValue(parseMetadata("Name: a\nnot a header\nVersion: 1\n"), "Version")).toBeUndefined();
  });

  it("accepts CRLF files", () => {
    expect(metadataValue(parseMetadata("Name: a\r\nVersion: 2\r\n"), "version")).toBe("2");
  });
});

describe("requires.txt", () => {
  const content = [
    "six",
    "",
    "[:python_version < '3']",
    "enum34",
    "[Fast Mode]",
    "cython>=0.29",
    "[socks:sys_platform == 'win32']",
    "win-inet-pton",
    "# comment",
  ].join("\n");

  it("converts sections to markers with pip's normalised extras", () => {
    expect(requiresTxtToRequiresDist(content)).toEqual([
      "six",
      "enum34 ; python_version < '3'",
      'cython>=0.29 ; extra == "fast_mode"',
      "win-inet-pton ; (sys_platform == 'win32') and extra == \"socks\"",
    ]);
  });

  it("lists the extras it declares", () => {
    expect(requiresTxtExtras(content)).toEqual(["Fast Mode", "socks"]);
  });
});

describe("direct_url.json", () => {
  it("renders archives with their hash, as pip freeze does", () => {
    const url = parseDirectUrl(
      '{"url": "file:///w/a-1.0-py3-none-any.whl", "archive_info": {"hash": "sha256=ab"}}',
    )!;
    expect(directReference(url, "a")).toBe("a @ file:///w/a-1.0-py3-none-any.whl#sha256=ab");
  });

  it("renders VCS installs with the commit and subdirectory", () => {
    const url = parseDirectUrl(
      JSON.stringify({
        url: "https://github.com/o/r.git",
        subdirectory: "pkg",
        vcs_info: { vcs: "git", commit_id: "0123abc", requested_revision: "main" },
      }),
    )!;
    expect(directReference(url, "r")).toBe("r @ git+https://github.com/o/r.git@0123abc#subdirectory=pkg");
  });

  it("finds the project directory of editable installs only", () => {
    const editable = parseDirectUrl('{"url": "file:///src/my%20proj", "dir_info": {"editable": true}}')!;
    const plain = parseDirectUrl('{"url": "file:///src/proj", "dir_info": {}}')!;
    expect(editableProjectDir(editable)).toBe("/src/my proj");
    expect(editableProjectDir(plain)).toBeUndefined();
    expect(directReference(plain, "proj")).toBe("proj @ file:///src/proj");
  });

  it.each([
    ["not json", "{"],
    ["no url", '{"dir_info": {}}'],
    ["two infos", '{"url": "x", "dir_info": {}, "archive_info": {}}'],
    ["no info", '{"url": "x"}'],
    ["wrong type", '{"url": "x", "dir_info": {"editable": "yes"}}'],
    ["vcs without commit", '{"url": "x", "vcs_info": {"vcs": "git"}}'],
    ["bad hash", '{"url": "x", "archive_info": {"hash": "nohash"}}'],
  ])("treats an invalid file (%s) as absent, as pip does", (_, text) => {
    expect(parseDirectUrl(text)).toBeUndefined();
  });
});
