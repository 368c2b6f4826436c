import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readBundle } from "@swhub/api/blobs/bundle";
import { commitStagedBlob } from "@swhub/api/services/blob-ingest";
import { type CommitResult, parseManifest, recordVersion } from "@swhub/api/services/runtime-commit";
import { projects } from "@swhub/db/schema";
import { buildRuntime } from "@swhub/runtime/build/build";
import { pinImage } from "@swhub/runtime/build/pin-image";
import { type EnvVars, findExecutable } from "@swhub/runtime/build/settings";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { eq } from "drizzle-orm";
import type { Handler, HandlerContext } from "../handlers";
import { unpackBuildContext } from "./build-context";
import { jobProgressSink } from "./job-progress";
import { isolatedPipEnvironment } from "./pip-env";

export interface BuildHandlerSettings {
  /** The worker's environment: PATH (python, conda), CONDA_EXE, locale. */
  env: EnvVars;
  /** pip's `--index-url` for every build. */
  indexUrl?: string;
  /** pip's `--find-links`, space separated. */
  findLinks?: string;
  /** This worker's version, recorded in manifests and lock files. */
  toolVersion?: string;
}

// The handler reports prepare (and resolve, for an image) itself, before the engine starts.
const enginePhases: Record<string, string | null> = {
  prepare: null,
  "prepare-env": "resolve",
  install: "install",
  lock: "lock",
  copy: "pack",
  pack: "pack",
  "pack-env": "pack",
  tag: null,
};

/** conda, mamba or micromamba, as `mode: conda` needs one: `$CONDA_EXE` first, then PATH. */
async function findCondaTool(env: EnvVars): Promise<string | undefined> {
  if (env.CONDA_EXE) {
    const found = await findExecutable(env.CONDA_EXE, env);
    if (found) return found;
  }
  for (const name of ["conda", "mamba", "micromamba"]) {
    const found = await findExecutable(name, env);
    if (found) return found;
  }
  return undefined;
}

export function createBuildHandler(settings: BuildHandlerSettings): Handler<"runtime.build"> {
  return async (payload, ctx) => {
    ctx.phase("prepare");
    const projectId = Number(payload.projectId);
    const [project] = await ctx.db
      .select({ name: projects.name })
      .from(projects)
      .where(eq(projects.id, projectId));
    if (!project) throw notFound(`project ${payload.projectId} is gone`);
    const home = join(ctx.workDir, "home");
    await mkdir(home);
    const env = isolatedPipEnvironment(settings, home, ["PATH", "CONDA_EXE", "LANG"]);
    let source: { kind: "yaml"; path: string } | { kind: "docker"; image: string };
    if (payload.source.kind === "yaml") {
      ctx.log(`fetching the build context ${payload.source.contextDigest}`);
      const context = await unpackBuildContext(ctx.db, ctx.blobs, {
        projectId,
        digest: payload.source.contextDigest,
        yamlPath: payload.source.yamlPath,
        dir: ctx.workDir,
        signal: ctx.signal,
      });
      ctx.log(
        `unpacked ${context.files} files (${context.bytes} bytes); building ${payload.source.yamlPath}`,
      );
      if (context.yaml.mode === "conda" && !payload.disableEnvLock) {
        const conda = await findCondaTool(env);
        if (!conda) {
          throw invalidInput(
            "runtime.yaml has mode: conda, but this worker has no conda, mamba or micromamba (CONDA_EXE is unset and none is on PATH)",
            "install one of them on the worker, or build with mode: venv",
          );
        }
        ctx.log(`conda mode: using ${conda}`);
      }
      source = { kind: "yaml", path: context.yamlFile };
    } else {
      ctx.phase("resolve");
      const pinned = await pinImage(payload.source.image, env);
      if (!pinned.pinned) {
        throw invalidInput(
          `cannot resolve the image ${payload.source.image} in its registry: ${pinned.reason}`,
          "check the image name and that the worker can reach its registry",
        );
      }
      ctx.log(`resolved ${payload.source.image} to ${pinned.digest}`);
      source = { kind: "docker", image: pinned.image };
    }

    const built = await buildRuntime({
      store: { root: join(ctx.workDir, "store") },
      project: "self",
      source,
      cwd: ctx.workDir,
      name: payload.runtimeName,
      disableEnvLock: payload.disableEnvLock,
      settings: {
        env,
        home,
        toolVersion: settings.toolVersion ?? "0.1.0",
        pypi: { indexUrl: settings.indexUrl },
      },
      progress: jobProgressSink(ctx, enginePhases),
      warn: (text) => ctx.log(`warning: ${text}`),
      signal: ctx.signal,
    });
    ctx.log(`built version ${built.version} (${built.size} bytes, ${built.digest})`);

    ctx.phase("publish");
    return publishBundle(ctx, {
      bundlePath: built.bundlePath,
      size: built.size,
      digest: built.digest,
      projectId,
      projectName: project.name,
      name: payload.runtimeName,
      userId: Number(payload.createdBy),
      tags: payload.tags,
    });
  };
}

/**
 * Stages the bundle in the blob store under the job's name, then, in the one transaction of `ctx.publish`, makes
 * it a blob of the project and records the version with the job's creator as owner. A run killed before the
 * commit leaves only the staged upload, which the reconciler drops; a cancelled run commits nothing.
 */
async function publishBundle(
  ctx: HandlerContext,
  input: {
    bundlePath: string;
    size: number;
    digest: string;
    projectId: number;
    projectName: string;
    name: string;
    userId: number;
    tags: string[];
  },
): Promise<Record<string, unknown>> {
  const open = async (range?: { start: number; end: number }) => createReadStream(input.bundlePath, range);
  const contents = await readBundle(open, input.size);
  const manifest = parseManifest(contents.manifest);
  const uploadId = `job-${ctx.jobId}-${randomBytes(6).toString("hex")}`;
  await ctx.blobs.createUpload(uploadId);
  let committed = false;
  try {
    const hash = createHash("sha256");
    await ctx.blobs.writeUpload(uploadId, 0, createReadStream(input.bundlePath), {
      maxBytes: Number.MAX_SAFE_INTEGER,
      onWritten: (piece) => hash.update(piece),
    });
    const digest = `sha256:${hash.digest("hex")}`;
    if (digest !== input.digest) throw new Error(`the bundle changed while it was stored (${digest})`);
    ctx.progress(50);
    ctx.log(`publishing ${input.projectName}/${input.name} version ${manifest.version}`);
    const result = await ctx.publish(async (tx) => {
      let version: CommitResult | undefined;
      await commitStagedBlob(tx, ctx.blobs, {
        uploadId,
        digest,
        size: input.size,
        projectId: input.projectId,
        inTransaction: async (inner) => {
          version = await recordVersion(inner, {
            projectId: input.projectId,
            projectName: input.projectName,
            name: input.name,
            userId: input.userId,
            content: {
              version: manifest.version,
              manifest: manifest.doc,
              bundleDigest: digest,
              bundleSize: input.size,
              files: contents.files,
              runtimeYaml: contents.runtimeYaml ?? null,
              lockFiles: contents.lockFiles,
            },
            tags: input.tags,
            force: false,
          });
        },
      });
      committed = true;
      return { ...version!, digest, size: input.size };
    });
    return result;
  } finally {
    if (!committed) await ctx.blobs.deleteUpload(uploadId).catch(() => {});
  }
}
