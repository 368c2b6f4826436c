// For the build and lock integration tests: the real swcli as a process of its own (the bundle, built once per
// test file from the current source), with its config, store and pip isolated under a temp home.
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBundleMember } from "@swhub/runtime/bundle/read";
import { pipEnv } from "@swhub/runtime/testing/python";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { expect } from "vitest";
import { parse } from "yaml";
import { buildCli } from "../../../build.mjs";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Builds the bundle into a temp dir; returns its entry. */
export async function buildTestCli(): Promise<string> {
  const outdir = join(await mkdtemp(join(tmpdir(), "swcli-bundle-")), "dist");
  await buildCli({ outdir });
  return join(outdir, "swcli.mjs");
}

export interface TestHome {
  home: string;
  /** `$SW_LOCAL_STORAGE`. */
  storage: string;
  /** The environment swcli runs with: isolated pip (no config, no index), the temp home and store. */
  env: Record<string, string | undefined>;
}

export async function makeTestHome(extra: Record<string, string | undefined> = {}): Promise<TestHome> {
  const home = await mkdtemp(join(tmpdir(), "swcli-build-"));
  const storage = join(home, "store");
  const env = {
    ...pipEnv(),
    HOME: home,
    SW_CLI_CONFIG: join(home, "config.yaml"),
    SW_LOCAL_STORAGE: storage,
    ...extra,
  };
  return { home, storage, env };
}

/** Runs `main(args)` of the bundle in a new process, as the launcher does. */
export function runCli(
  entry: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<CliRun> {
  const script = `const { main } = await import(${JSON.stringify(entry)}); await main(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines of stderr starting with `error:`. */
export const errorLines = (run: CliRun) => run.stderr.split("\n").filter((line) => line.startsWith("error:"));

/** `swcli -o json runtime build ARGS` with the test home's environment (and `env` on top). */
export function runBuild(
  entry: string,
  home: TestHome,
  args: string[],
  cwd = home.home,
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  return runCli(entry, ["-o", "json", "runtime", "build", ...args], { cwd, env: { ...home.env, ...env } });
}

export interface Built {
  uri: string;
  name: string;
  project: string;
  version: string;
  tags: string[];
  bundle_path: string;
  snapshot_workdir: string;
  lock_file: string | null;
  image: string | null;
}

/** The JSON result of a build that must have succeeded. */
export function built(run: CliRun): Built {
  expect(run.stderr).not.toContain("error:");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Built;
}

export const member = async (bundle: string, path: string) =>
  (await readBundleMember(bundle, path)).toString("utf8");
export const manifestOf = async (bundle: string) =>
  parse(await member(bundle, "_manifest.yaml")) as RuntimeManifest;

/** Every mapping key path of a document (list items are not descended into): the shape Starwhale writes. */
export function keyPaths(value: unknown, prefix = ""): string[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...keyPaths(child, `${prefix}${key}.`),
  ]);
}

const fixtures = new URL("../../../../../packages/runtime/test-fixtures/starwhale-0.6.15/", import.meta.url);

/** The key paths of the manifest in a bundle Starwhale 0.6.15 wrote. */
export async function starwhaleKeys(bundle: string): Promise<string[]> {
  return keyPaths(parse(await member(new URL(bundle, fixtures).pathname, "_manifest.yaml"))).sort();
}
