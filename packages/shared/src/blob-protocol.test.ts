import { describe, expect, it } from "vitest";
import {
  blobPaths,
  createUploadRequestSchema,
  formatContentRange,
  isBlobDigest,
  parseContentRange,
  parseRange,
} from "./blob-protocol";

const digest = `sha256:${"0a".repeat(32)}`;

describe("blob protocol", () => {
  it("reads Content-Range headers and says what is wrong with bad ones", () => {
    expect(parseContentRange("bytes 0-99/1000")).toEqual({ start: 0, end: 99, total: 1000 });
    expect(parseContentRange("bytes 100-199/*")).toEqual({ start: 100, end: 199 });
    expect(parseContentRange(formatContentRange({ start: 5, end: 9, total: 10 }))).toEqual({
      start: 5,
      end: 9,
      total: 10,
    });
    expect(parseContentRange(null)).toMatch(/needs a Content-Range header/);
    expect(parseContentRange("bytes=0-99")).toMatch(/is malformed/);
    expect(parseContentRange("bytes 10-9/100")).toMatch(/ends before it starts/);
    expect(parseContentRange("bytes 0-100/100")).toMatch(/ends past its total/);
    expect(parseContentRange("bytes -1-5/10")).toMatch(/is malformed/);
  });

  it("reads single Range headers as RFC 9110 says, ignoring ones it doesn't understand", () => {
    expect(parseRange(null, 100)).toEqual({ kind: "whole" });
    expect(parseRange("bytes=0-9", 100)).toEqual({ kind: "partial", start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=90-500", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(parseRange("bytes=-500", 100)).toEqual({ kind: "partial", start: 0, end: 99 });
    expect(parseRange("bytes=100-", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", 100)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=0-1,5-6", 100)).toEqual({ kind: "whole" });
    expect(parseRange("items=0-1", 100)).toEqual({ kind: "whole" });
  });

  it("accepts only sha256 digests in lowercase hex", () => {
    expect(isBlobDigest(digest)).toBe(true);
    expect(isBlobDigest(digest.toUpperCase())).toBe(false);
    expect(isBlobDigest("sha256:abc")).toBe(false);
    expect(createUploadRequestSchema.safeParse({ digest, size: -1 }).success).toBe(false);
    expect(createUploadRequestSchema.safeParse({ digest, size: 0 }).success).toBe(true);
  });

  it("builds the same paths on both ends, encoding project names and upload ids", () => {
    expect(blobPaths.blob("team:demo", digest)).toBe(`/api/projects/team%3Ademo/blobs/${digest}`);
    expect(blobPaths.finish("demo", "abc_DEF-1")).toBe("/api/projects/demo/uploads/abc_DEF-1/finish");
  });
});
