import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type BuiltImage, buildImage } from "../oci/image";
import { createLayer } from "../oci/layer";
import type { PulledImage } from "../oci/pull";
import { pushImage } from "../oci/push";
import type { ImageReference } from "../oci/reference";
import { createRegistryClient, type RegistryClient } from "../oci/registry";
import { buildPythonBaseImage, type PythonBaseImage } from "./base-image";
import { startRegistry, type TestRegistry } from "./registry";

const exec = promisify(execFile);
export const demoWorkdir = "/opt/starwhale.user/runtime";

/** What the image integration tests share: a registry holding the python base, and a tiny runtime dir. */
export interface ImageFixture {
  tmp: string;
  registry: TestRegistry;
  client: RegistryClient;
  base: PythonBaseImage;
  /** The base pushed to the registry, pinned by digest. */
  baseRef: ImageReference;
  /** The dockerize recipe in small: base + one layer with the runtime + Starwhale's labels and env. */
  buildDemo(layoutDir: string, pulled: PulledImage, version?: string): Promise<BuiltImage>;
  stop(): Promise<void>;
}

export async function startImageFixture(): Promise<ImageFixture> {
  const tmp = await mkdtemp(join(tmpdir(), "swhub-image-"));
  const registry = await startRegistry({ relativeUrls: true });
  const client = createRegistryClient({ registry: registry.host, insecure: true });
  const base = await buildPythonBaseImage(join(tmp, "base"));
  console.info(`python base image: ${base.millis} ms (${base.cached ? "cached" : "built"})`);
  const pushed = await pushImage(client, "base/python", {
    layoutDir: base.layoutDir,
    root: base.descriptor,
    tags: ["3.11"],
  });
  const baseRef = { registry: registry.host, repository: "base/python", digest: pushed.digest };

  const app = join(tmp, "app");
  await mkdir(join(app, "swhub_demo"), { recursive: true });
  await writeFile(join(app, "swhub_demo", "__init__.py"), 'GREETING = "hello from the layer"\n');
  await writeFile(join(app, "runtime.yaml"), "name: demo\n");

  return {
    tmp,
    registry,
    client,
    base,
    baseRef,
    async buildDemo(layoutDir, pulled, version = "v1") {
      const layer = await createLayer(layoutDir, { from: { directory: app }, prefix: demoWorkdir });
      return buildImage(layoutDir, {
        base: pulled,
        layers: [{ layer, createdBy: `COPY . ${demoWorkdir}` }],
        settings: {
          workingDir: demoWorkdir,
          env: { PYTHONPATH: demoWorkdir, SW_USER_RUNTIME_NAME: "demo", SW_USER_RUNTIME_VERSION: version },
          labels: {
            starwhale_runtime_dockerize: "1",
            starwhale_runtime_name: "demo",
            starwhale_runtime_version: version,
          },
        },
      });
    },
    async stop() {
      await client.close();
      await registry.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

export async function skopeo(...args: string[]): Promise<string> {
  return (await exec("skopeo", args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** Unpacks an OCI layout image with umoci and runs python in the rootfs with the image's own env. */
export async function runPython(layoutRef: string, code: string): Promise<string> {
  const bundle = await mkdtemp(join(tmpdir(), "swhub-bundle-"));
  await rm(bundle, { recursive: true });
  await exec("umoci", ["unpack", "--image", layoutRef, bundle]);
  const runtime = JSON.parse(await readFile(join(bundle, "config.json"), "utf8")) as {
    process: { env: string[]; cwd: string };
  };
  const env = Object.fromEntries(
    runtime.process.env.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  // chroot starts in /; the image's working directory is applied as a runtime would.
  const script = 'cd "$1" && shift && exec /usr/bin/python3 -c "$@"';
  const rootfs = join(bundle, "rootfs");
  const { stdout } = await exec(
    "chroot",
    [rootfs, "/bin/sh", "-c", script, "sh", runtime.process.cwd, code],
    { env },
  );
  await rm(bundle, { recursive: true, force: true });
  return stdout.trim();
}
