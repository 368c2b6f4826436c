import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { hashFile, isBundleFresh } from "../bin/bundle-freshness.mjs";

let root: string;
let dist: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "swcli-fresh-"));
  dist = join(root, "dist");
  mkdirSync(join(root, "src"));
  mkdirSync(dist);
  writeFileSync(join(root, "src", "main.ts"), "export const a = 1;\n");
  writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  writeFileSync(join(dist, "swcli.mjs"), "export async function main() {}\n");
  const inputs = {
    "../src/main.ts": hashFile(join(root, "src", "main.ts")),
    "../pnpm-lock.yaml": hashFile(join(root, "pnpm-lock.yaml")),
  };
  writeFileSync(join(dist, "swcli.meta.json"), JSON.stringify({ inputs }));
});

describe("isBundleFresh", () => {
  it("trusts a bundle whose inputs are unchanged", () => {
    expect(isBundleFresh(dist)).toBe(true);
  });

  it("refuses it after a source edit, even one that keeps the size", () => {
    writeFileSync(join(root, "src", "main.ts"), "export const a = 2;\n");
    expect(isBundleFresh(dist)).toBe(false);
  });

  it("refuses it after the lockfile changed (new dependency versions)", () => {
    writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.1'\n");
    expect(isBundleFresh(dist)).toBe(false);
  });

  it("refuses it when an input is gone, the entry is gone, or there is no meta", () => {
    rmSync(join(root, "src", "main.ts"));
    expect(isBundleFresh(dist)).toBe(false);
  });

  it("refuses it without an entry or a readable meta", () => {
    rmSync(join(dist, "swcli.mjs"));
    expect(isBundleFresh(dist)).toBe(false);
    writeFileSync(join(dist, "swcli.mjs"), "");
    writeFileSync(join(dist, "swcli.meta.json"), "{ broken");
    expect(isBundleFresh(dist)).toBe(false);
    expect(isBundleFresh(join(root, "missing"))).toBe(false);
  });
});
