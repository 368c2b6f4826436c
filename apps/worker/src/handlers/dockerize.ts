import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { projects, runtimeImages, runtimes, runtimeVersions } from "@swhub/db/schema";
import type { EnvVars } from "@swhub/runtime/build/settings";
import { dockerizeRuntime } from "@swhub/runtime/dockerize/dockerize";
import { pruneImageCache } from "@swhub/runtime/dockerize/layer-cache";
import type { PruneLimits } from "@swhub/runtime/oci/layout";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { autoTag } from "@swhub/shared/names";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Handler } from "../handlers";
import { jobProgressSink } from "./job-progress";
import { isolatedPipEnvironment } from "./pip-env";

/** The server's image settings (worker env, see README's Configuration). Never sent to browsers. */
export interface DockerizeHandlerSettings {
  /** `host[:port][/namespace]` images are pushed under; unset, every image job fails saying so. */
  registry?: string;
  /** Credentials for `registry`; else the Docker config (`DOCKER_CONFIG`), else anonymous. */
  username?: string;
  password?: string;
  /** Speak plain http to `registry`. */
  insecure?: boolean;
  /** The base image of every image, replacing the runtime's own and the builtin choice. */
  baseImage?: string;
  /** The base image's interpreter, when it cannot be found by looking. */
  basePython?: string;
  /** Layers made earlier are kept here (per worker), so a second image of a version makes and pushes none. */
  cacheDir: string;
  /** How much `cacheDir` keeps; pruned as each image job starts. Unset, it grows. */
  cacheLimits?: PruneLimits;
  /** The worker's environment: PATH (python, pip), HOME and DOCKER_CONFIG for credentials. */
  env: EnvVars;
  /** pip's index and wheel directories, for runtimes without a packed env (not written into the image). */
  indexUrl?: string;
  findLinks?: string;
}

/** The server's registry split into its host (for credentials, http) and the namespace images go under. */
export function parseServerRegistry(text: string): { host: string; namespace: string } {
  const trimmed = text
    .trim()
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/+$/, "");
  const slash = trimmed.indexOf("/");
  return slash < 0
    ? { host: trimmed.toLowerCase(), namespace: "" }
    : { host: trimmed.slice(0, slash).toLowerCase(), namespace: trimmed.slice(slash + 1) };
}

/** A project or runtime name as an OCI repository path component (lower case, separators only between). */
export function repositoryComponent(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/[._-]{2,}/g, "-")
    .replace(/^[._-]+|[._-]+$/g, "");
}

/** Where a project's runtime is pushed: `<host>/<namespace>/<project>/<runtime>`. */
export function imageRepository(registry: string, project: string, runtime: string): string {
  const { host, namespace } = parseServerRegistry(registry);
  return [host, namespace, repositoryComponent(project), repositoryComponent(runtime)]
    .filter(Boolean)
    .join("/");
}

/**
 * `runtime.dockerize`: reads the version's bundle from the blob store, builds its image with the dockerize engine
 * (phases prepare, base, layers, push) and pushes it to the server's registry, then records each reference with
 * the image's digest and platforms in `runtime_images`, in the transaction that marks the job succeeded.
 */
export function createDockerizeHandler(settings: DockerizeHandlerSettings): Handler<"runtime.dockerize"> {
  return async (payload, ctx) => {
    ctx.phase("prepare");
    if (!settings.registry?.trim()) {
      throw invalidInput(
        "no image registry is configured on this server",
        "set SW_REGISTRY (and SW_REGISTRY_USER/SW_REGISTRY_PASSWORD if it needs them) for the worker",
      );
    }
    const versionId = Number(payload.runtimeVersionId);
    const [row] = await ctx.db
      .select({
        version: runtimeVersions.version,
        aliasSeq: runtimeVersions.aliasSeq,
        bundleDigest: runtimeVersions.bundleDigest,
        name: runtimes.name,
        project: projects.name,
      })
      .from(runtimeVersions)
      .innerJoin(runtimes, eq(runtimes.id, runtimeVersions.runtimeId))
      .innerJoin(projects, eq(projects.id, runtimes.projectId))
      .where(and(eq(runtimeVersions.id, versionId), isNull(runtimeVersions.removedAt)));
    if (!row) throw notFound(`runtime version ${payload.version ?? versionId} is gone (removed or deleted)`);

    const repository = imageRepository(settings.registry, row.project, row.name);
    const tags = payload.tags.map((tag) => `${repository}:${tag}`);
    ctx.log(`reading the bundle of ${row.name} ${autoTag(row.aliasSeq)} (${row.bundleDigest})`);
    const bundlePath = join(ctx.workDir, `${row.name}.swrt`);
    await pipeline(await ctx.blobs.read(row.bundleDigest), createWriteStream(bundlePath), {
      signal: ctx.signal,
    });
    await mkdir(settings.cacheDir, { recursive: true });
    if (settings.cacheLimits) {
      // Before the run, so that it has the room. A cache that can't be pruned is the operator's to see, not the
      // job's to fail on.
      await pruneImageCache(settings.cacheDir, settings.cacheLimits).catch((error: unknown) => {
        console.error(
          `worker: pruning the image cache ${settings.cacheDir} failed: ${(error as Error).message}`,
        );
      });
    }
    const home = join(ctx.workDir, "home");
    await mkdir(home);
    const { host } = parseServerRegistry(settings.registry);

    const result = await dockerizeRuntime(
      { bundlePath, name: row.name, digest: row.bundleDigest },
      {
        tags,
        configuredImage: false,
        platforms: payload.platforms,
        push: true,
        workDir: settings.cacheDir,
        base: { ...(settings.baseImage ? { override: settings.baseImage } : {}) },
        ...(settings.basePython ? { basePython: settings.basePython } : {}),
        registries: {
          credentials: { env: credentialEnv(settings, host) },
          insecure: settings.insecure ? [host] : [],
        },
        env: { pipEnv: isolatedPipEnvironment(settings, home) },
        progress: jobProgressSink(ctx, { prepare: null }),
        signal: ctx.signal,
      },
    );
    for (const layer of result.layers) {
      const where = layer.platform ? ` for ${layer.platform}` : "";
      ctx.log(
        `${layer.kind} layer${where}: ${layer.digest} (${layer.size} bytes${layer.cached ? ", cached" : ""})`,
      );
    }
    for (const pushed of result.pushed) {
      ctx.log(
        `pushed ${pushed.references.join(", ")}: ${pushed.uploaded} uploaded, ${pushed.mounted} mounted, ${pushed.existing} already there`,
      );
    }
    const references = result.pushed.flatMap((p) => p.references);
    return ctx.publish(async (tx) => {
      // The version may have been deleted while the image was made: then there is nothing to record it on.
      const [still] = await tx
        .select({ id: runtimeVersions.id })
        .from(runtimeVersions)
        .where(eq(runtimeVersions.id, versionId));
      if (!still) throw notFound(`runtime version ${row.version} was deleted while its image was built`);
      for (const reference of references) {
        await tx
          .insert(runtimeImages)
          .values({ versionId, reference, digest: result.digest, platforms: result.platforms })
          .onConflictDoUpdate({
            target: [runtimeImages.versionId, runtimeImages.reference],
            set: { digest: result.digest, platforms: result.platforms, createdAt: sql`now()` },
          });
      }
      return {
        name: row.name,
        version: row.version,
        alias: autoTag(row.aliasSeq),
        image: references[0] ?? null,
        references,
        digest: result.digest,
        platforms: result.platforms,
        uploaded: result.pushed.reduce((n, p) => n + p.uploaded, 0),
      };
    });
  };
}

/** Credentials for the server's registry only; the Docker config (e.g. for a private base image) as a fallback. */
function credentialEnv(settings: DockerizeHandlerSettings, host: string): Record<string, string | undefined> {
  return {
    HOME: settings.env.HOME,
    DOCKER_CONFIG: settings.env.DOCKER_CONFIG,
    PATH: settings.env.PATH,
    ...(settings.username && settings.password
      ? {
          SW_REGISTRY_USERNAME: settings.username,
          SW_REGISTRY_PASSWORD: settings.password,
          SW_REGISTRY_HOST: host,
        }
      : {}),
  };
}
