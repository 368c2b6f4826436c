import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { packEnv } from "@swhub/runtime/bundle/packed-env";
import { pushImage } from "@swhub/runtime/oci/push";
import { createRegistryClient } from "@swhub/runtime/oci/registry";
import { buildPythonBaseImage } from "@swhub/runtime/testing/base-image";
import { fixtureWheels } from "@swhub/runtime/testing/dockerize-fixture";
import { createVenv, makeTempDir, pipInstall, pythonInfo } from "@swhub/runtime/testing/python";
import { writeRuntimeVersion } from "@swhub/runtime/testing/runtime-bundles";

/*
 * What image specs need from the loopback registry test-all.sh starts ($SW_TEST_REGISTRY): a python base image
 * pushed there (busybox and this machine's Python, built offline), and a runtime bundle whose environment was
 * packed at build time (--pack-env), so the worker's image job needs no pip index.
 */

/** Pushes the python base image to the registry; returns its reference for SW_BASE_IMAGE. */
export async function pushBaseImage(registry: string): Promise<string> {
  const base = await buildPythonBaseImage();
  const client = createRegistryClient({ registry, insecure: true });
  try {
    await pushImage(client, "e2e-base/python", {
      layoutDir: base.layoutDir,
      root: base.descriptor,
      tags: ["3.11"],
    });
  } finally {
    await client.close();
  }
  return `${registry}/e2e-base/python:3.11`;
}

/** A `.swrt` of `name` with tinypkg01 installed from wheels and packed into the bundle. */
export async function packedEnvBundle(name: string): Promise<{ version: string; bytes: Buffer }> {
  const dir = await makeTempDir("e2e-image");
  const venv = await createVenv(join(dir, "venv"));
  await pipInstall(venv, ["tinypkg01"], { findLinks: fixtureWheels });
  const python = (await pythonInfo()).version.split(".").slice(0, 2).join(".");
  const packed = await packEnv(venv, join(dir, "env.tar.gz"));
  const runtime = await writeRuntimeVersion(
    { root: join(dir, "store") },
    { name, python, lock: ["tinypkg01==1.0.1"], packedEnv: packed },
  );
  return { version: runtime.version, bytes: await readFile(runtime.bundlePath) };
}
