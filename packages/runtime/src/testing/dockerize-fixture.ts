/**
 * What the dockerize integration tests share: a loopback registry holding the python base image (busybox and
 * this machine's Python 3.11, see base-image.ts) as `base/python:3.11`, a standalone store in a temp dir, the
 * fixture wheels, and ways to look into a pushed image as a user would (skopeo, umoci, chroot).
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { readBundleMember } from "../bundle/read";
import { pushImage } from "../oci/push";
import { createRegistryClient, type RegistryClient } from "../oci/registry";
import { bundlePath, type Store, snapshotDir } from "../store/layout";
import { registerVersion } from "../store/tags";
import { buildPythonBaseImage, type PythonBaseImage } from "./base-image";
import { pipEnv } from "./python";
import { type StartRegistryOptions, startRegistry, type TestRegistry } from "./registry";
import type { TestRuntime } from "./runtime-bundles";

const exec = promisify(execFile);

export const fixtureDir = fileURLToPath(new URL("../../test-fixtures/starwhale-0.6.15", import.meta.url));
export const fixtureWheels = join(fixtureDir, "wheels");

export interface DockerizeFixture {
  tmp: string;
  store: Store;
  registry: TestRegistry;
  client: RegistryClient;
  base: PythonBaseImage;
  /** `127.0.0.1:PORT/base/python:3.11`. */
  baseName: string;
  /** pip's environment: isolated, offline, finding the fixture wheels (and `extraWheels`). */
  pipEnv(extraWheels?: string): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startDockerizeFixture(options: StartRegistryOptions = {}): Promise<DockerizeFixture> {
  const tmp = await mkdtemp(join(tmpdir(), "swhub-dockerize-"));
  const registry = await startRegistry(options);
  const credentials =
    options.auth && options.auth !== "none"
      ? { username: registry.user.username, password: registry.user.password }
      : undefined;
  const client = createRegistryClient({
    registry: registry.host,
    insecure: true,
    ...(credentials ? { credentials } : {}),
  });
  const base = await buildPythonBaseImage(join(tmp, "base"));
  await pushImage(client, "base/python", {
    layoutDir: base.layoutDir,
    root: base.descriptor,
    tags: ["3.11"],
  });
  return {
    tmp,
    store: { root: join(tmp, "store") },
    registry,
    client,
    base,
    baseName: `${registry.host}/base/python:3.11`,
    pipEnv: (extraWheels) =>
      pipEnv({ PIP_FIND_LINKS: extraWheels ? `${fixtureWheels} ${extraWheels}` : fixtureWheels }),
    async stop() {
      await client.close();
      await registry.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Puts Starwhale's own `demo.swrt` (tinypkg01, tinypkg02 and starwhale locked) into the store. */
export function addFixtureDemo(store: Store): Promise<TestRuntime> {
  return addFixtureBundle(store, "demo");
}

/**
 * Puts a bundle Starwhale wrote into the store under its file name: `demo`, or `yamlfull` (every venv dependency
 * kind: a lock of tinypkg05 and tinypkg07, the wheel tinypkg06, the native file scripts/hello.sh, a command).
 */
export async function addFixtureBundle(store: Store, name: "demo" | "yamlfull"): Promise<TestRuntime> {
  const source = join(fixtureDir, `${name}.swrt`);
  const manifest = parse((await readBundleMember(source, "_manifest.yaml")).toString("utf8")) as {
    version: string;
  };
  const path = bundlePath(store, "self", name, manifest.version);
  await mkdir(dirname(path), { recursive: true });
  await copyFile(source, path);
  await registerVersion(store, "self", name, manifest.version);
  return {
    name,
    project: "self",
    version: manifest.version,
    bundlePath: path,
    snapshotDir: snapshotDir(store, "self", name, manifest.version),
  };
}

export async function skopeoJson(
  ...args: string[]
): Promise<Record<string, unknown> & { Labels: Record<string, string> }> {
  return JSON.parse((await exec("skopeo", args, { maxBuffer: 16 << 20 })).stdout);
}

/** `skopeo copy` from the registry to an OCI layout, then `umoci unpack`; returns the rootfs. */
export async function pullRootfs(registry: TestRegistry, reference: string, arch = "amd64"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "swhub-rootfs-"));
  const layout = join(dir, "layout");
  await exec("skopeo", [
    "copy",
    "--src-tls-verify=false",
    "--override-arch",
    arch,
    `docker://${registry.host}/${reference}`,
    `oci:${layout}:img`,
  ]);
  return unpackRootfs(`${layout}:img`, dir);
}

export async function unpackRootfs(layoutRef: string, dir?: string): Promise<string> {
  const into = dir ?? (await mkdtemp(join(tmpdir(), "swhub-rootfs-")));
  await exec("umoci", ["unpack", "--image", layoutRef, join(into, "bundle")]);
  return join(into, "bundle", "rootfs");
}

const plainEnv = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" };

/** `chroot ROOTFS CMD...` with a plain default PATH, as a shell on a fresh machine has it (or with `env`). */
export async function chroot(rootfs: string, ...command: string[]): Promise<string> {
  return chrootWith(plainEnv, rootfs, ...command);
}

export async function chrootWith(
  env: Record<string, string>,
  rootfs: string,
  ...command: string[]
): Promise<string> {
  const { stdout } = await exec("chroot", [rootfs, ...command], { env });
  return stdout.trim();
}

/** The process settings umoci wrote for an unpacked image (its env, entrypoint + command, working dir). */
export async function runtimeSpec(
  rootfs: string,
): Promise<{ env: Record<string, string>; args: string[]; cwd: string }> {
  const spec = JSON.parse(await readFile(join(rootfs, "..", "config.json"), "utf8")) as {
    process: { env: string[]; args: string[]; cwd: string };
  };
  const env = Object.fromEntries(
    spec.process.env.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return { env, args: spec.process.args, cwd: spec.process.cwd };
}

/** Uploads (not HEADs) the registry served since `since` requests ago. */
export function uploadsSince(registry: TestRegistry, since: number): string[] {
  return registry
    .requests()
    .slice(since)
    .filter((r) => r.method !== "HEAD" && r.uri.includes("/blobs/uploads/"))
    .map((r) => `${r.method} ${r.uri}`);
}
