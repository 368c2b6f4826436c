import { randomBytes } from "node:crypto";
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { packBundle } from "@swhub/runtime/bundle/pack";
import { generateVersionId } from "@swhub/shared/version-id";
import { stringify } from "yaml";

/**
 * A runtime bundle of about `megabytes` MB (a venv runtime whose bulk is one file of random bytes), for transfer
 * tests and benchmarks. Returns the .swrt path and its version.
 */
export async function makeBigBundle(
  dir: string,
  megabytes: number,
): Promise<{ path: string; version: string; size: number }> {
  const version = generateVersionId();
  const src = join(dir, `src-${version}`);
  await mkdir(join(src, "dependencies/.starwhale/lock"), { recursive: true });
  await mkdir(join(src, "src"), { recursive: true });
  const manifest = {
    version,
    environment: {
      mode: "venv",
      python: "3.11",
      arch: ["noarch"],
      lock: { files: [".starwhale/lock/requirements-sw-lock.txt"] },
    },
    dependencies: { raw_deps: [], local_packaged_env: false },
  };
  await writeFile(join(src, "_manifest.yaml"), stringify(manifest));
  await writeFile(join(src, "runtime.yaml"), "name: big\nmode: venv\n");
  await writeFile(join(src, "dependencies/.starwhale/lock/requirements-sw-lock.txt"), "");
  const file = await open(join(src, "src/weights.bin"), "w");
  try {
    const block = 1 << 20;
    for (let i = 0; i < megabytes; i++) await file.write(randomBytes(block));
  } finally {
    await file.close();
  }
  const path = join(dir, `${version}.swrt`);
  const { size } = await packBundle(path, { dir: src });
  await rm(src, { recursive: true, force: true });
  return { path, version, size };
}
