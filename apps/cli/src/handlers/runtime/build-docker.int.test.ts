import { createServer } from "node:net";
import { Readable } from "node:stream";
import { readBundleMember } from "@swhub/runtime/bundle/read";
import { sha256Digest } from "@swhub/runtime/oci/digest";
import { createRegistryClient } from "@swhub/runtime/oci/registry";
import { startRegistry, type TestRegistry } from "@swhub/runtime/testing/registry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildTestCli, makeTestHome, runCli } from "./build-test-support";

let entry: string;
let registry: TestRegistry;
let digest: string;

beforeAll(async () => {
  [entry, registry] = await Promise.all([buildTestCli(), startRegistry()]);
  // The smallest image there is: a config and no layers.
  const client = createRegistryClient({ registry: registry.host, insecure: true });
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
  );
  const configDigest = sha256Digest(config);
  await client.uploadBlob("team/pytorch", {
    digest: configDigest,
    size: config.length,
    open: () => Readable.from([config]),
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: configDigest,
        size: config.length,
      },
      layers: [],
    }),
  );
  digest = await client.putManifest(
    "team/pytorch",
    "1.9.0-cuda",
    manifest,
    "application/vnd.oci.image.manifest.v1+json",
  );
  await client.close();
});
afterAll(() => registry.stop());

async function build(args: string[]) {
  const home = await makeTestHome();
  const run = await runCli(entry, ["-o", "json", "runtime", "build", ...args], {
    cwd: home.home,
    env: home.env,
  });
  return { run, result: run.code === 0 ? JSON.parse(run.stdout) : undefined };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("swcli runtime build --docker", () => {
  it("records the image pinned to the digest its registry reports", async () => {
    const image = `${registry.host}/team/pytorch:1.9.0-cuda`;
    const { run, result } = await build(["--docker", image]);
    expect(run.stderr).not.toContain("warning");
    expect(result).toMatchObject({ name: "pytorch", image: `${image}@${digest}`, lock_file: null });
    const manifest = parse((await readBundleMember(result.bundle_path, "_manifest.yaml")).toString());
    expect(manifest.docker.custom_run_image).toBe(`${image}@${digest}`);
    expect(manifest.base_image).toBe(`${image}@${digest}`);
    expect(manifest.environment).toMatchObject({ auto_lock_dependencies: false, mode: "venv" });
    const yaml = parse((await readBundleMember(result.bundle_path, "runtime.yaml")).toString());
    expect(yaml).toMatchObject({ name: "pytorch", environment: { docker: { image: `${image}@${digest}` } } });
  });

  it("keeps the tag, with a warning, when the registry does not answer", async () => {
    const image = `127.0.0.1:${await closedPort()}/team/app:2`;
    const { run, result } = await build(["-d", image, "--name", "offline"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `^warning: could not resolve ${image.replace(/[.]/g, "\\.")} to a digest \\(.+\\); recording the tag$`,
        "m",
      ),
    );
    expect(result).toMatchObject({ name: "offline", image });
  });
});
