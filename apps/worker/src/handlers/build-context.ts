import { createWriteStream } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { join, normalize } from "node:path";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "@swhub/api/blobs/store";
import { presentBlobs } from "@swhub/api/services/uploads";
import type { Database } from "@swhub/db/client";
import { unpackTar } from "@swhub/runtime/bundle/unpack-tar";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { parseRuntimeYaml, type RuntimeYaml } from "@swhub/shared/schemas";

/**
 * Fetches a build context (a tar, gzipped or not, of runtime.yaml with its requirement files and wheels) from the
 * blob store and unpacks it under `dir`, refusing hostile members (absolute paths, `..`, links out) before
 * anything is written for them. Returns runtime.yaml's path and its parsed content: a malformed file fails here,
 * with the parser's line and reason, before any environment is made.
 */
export async function unpackBuildContext(
  db: Database,
  store: BlobStore,
  input: { projectId: number; digest: string; yamlPath: string; dir: string; signal: AbortSignal },
): Promise<{ yamlFile: string; yaml: RuntimeYaml; files: number; bytes: number }> {
  const present = await presentBlobs(db, input.projectId, [input.digest]);
  const stat = present.size > 0 ? await store.stat(input.digest) : undefined;
  if (!stat) {
    throw notFound(
      `the build context ${input.digest} is gone from the server`,
      "upload it again and resubmit",
    );
  }
  const archive = join(input.dir, "context.tar");
  await pipeline(await store.read(input.digest), createWriteStream(archive), { signal: input.signal });
  const gzip = await isGzip(archive);
  const root = join(input.dir, "context");
  await mkdir(root);
  const unpacked = await unpackTar(archive, root, {
    gzip,
    guard: {
      prefix: "the build context is unsafe to unpack:",
      hint: "send a plain tar of runtime.yaml and the files it names",
      ...(gzip ? {} : { limits: { capacity: stat.size } }),
    },
    signal: input.signal,
  });
  const relative = normalize(input.yamlPath);
  if (relative.startsWith("..") || relative.startsWith("/")) {
    throw invalidInput(`the yaml path ${input.yamlPath} leaves the build context`);
  }
  const yamlFile = join(root, relative);
  const text = await readFile(yamlFile, "utf8").catch(() => {
    throw invalidInput(
      `the build context has no ${input.yamlPath}`,
      "include runtime.yaml in the context, or name its path inside it",
    );
  });
  return {
    yamlFile,
    yaml: parseRuntimeYaml(text, input.yamlPath),
    files: unpacked.files,
    bytes: unpacked.bytes,
  };
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}
