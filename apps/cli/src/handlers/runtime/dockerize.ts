import { join, resolve } from "node:path";
import { dockerizeWithBuildx } from "@swhub/runtime/dockerize/buildx";
import { dockerizeRuntime, type DockerizeOptions as EngineOptions } from "@swhub/runtime/dockerize/dockerize";
import { type DockerizePlan, planDockerize } from "@swhub/runtime/dockerize/dry-run";
import { pruneImageCache } from "@swhub/runtime/dockerize/layer-cache";
import type { DockerizeSource } from "@swhub/runtime/dockerize/runtime-source";
import { bundlePath, snapshotDir, storeResolver } from "@swhub/runtime/store/index";
import { invalidInput } from "@swhub/shared/errors";
import { isLocal, parseResourceUri, resolveResourceUri } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { DockerizeOptions } from "../../commands/runtime/dockerize";
import { uriContext } from "../../config";
import { displayVersion, humanSize } from "../../output/format";
import type { RuntimeDockerizeJson, RuntimeDockerizePlanJson } from "../../output/shapes";

/**
 * `swcli runtime dockerize`: build the runtime's OCI image without a daemon, or with `docker buildx` (spec §6,
 * DESIGN difference 9).
 */
export async function dockerize(options: DockerizeOptions, ctx: CommandContext): Promise<void> {
  const source = await localSource(options.runtime, ctx);
  if (options.builder === "buildx") return buildx(options, source, ctx);
  const engine = engineOptions(options, ctx);
  if (options.dryRun) {
    const plan = await planDockerize(source, engine);
    ctx.output.result(planJson(plan), printPlanWith(ctx));
    return;
  }
  // Before the run, so that it has the room; another dockerize running now keeps what it used within the hour.
  await pruneImageCache(cacheDir(ctx), {
    maxBytes: (ctx.env.SW_DOCKERIZE_CACHE_MAX_GB ?? 20) * 2 ** 30,
    keepUsedWithinMs: 3_600_000,
  }).catch(() => undefined);
  const result = await dockerizeRuntime(source, engine);
  const json: RuntimeDockerizeJson = {
    name: result.name,
    version: result.version,
    digest: result.digest,
    media_type: result.mediaType,
    platforms: result.platforms,
    tags: result.tags,
    base: {
      name: result.base.name,
      digest: result.base.digest,
      python: result.base.python,
      python_version: result.base.pythonVersion,
    },
    layers: result.layers.map((l) => ({
      kind: l.kind,
      platform: l.platform ?? null,
      digest: l.digest,
      size: l.size,
      cached: l.cached,
      from: l.from ?? null,
    })),
    pushed: result.pushed,
    oci_layout: result.ociLayout ?? null,
    docker_archive: result.dockerArchive ?? null,
    dockerfile: result.dockerfile ?? null,
  };
  ctx.output.result(json, (r) => {
    const out = ctx.output;
    out.line(`image ${r.digest} (${r.platforms.join(", ")}), based on ${r.base.name}`);
    for (const l of r.layers) {
      const what =
        l.kind === "bundle"
          ? "runtime layer"
          : l.kind === "env-config"
            ? `environment links (${l.platform})`
            : `environment layer (${[l.platform, l.from && `from ${l.from}`].filter(Boolean).join(", ")})`;
      out.line(`  ${what}: ${humanSize(l.size)}${l.cached ? ", cached" : ""}`);
    }
    for (const p of r.pushed) {
      const count = (n: number, what: string) => `${n} blob${n === 1 ? "" : "s"} ${what}`;
      const sent = [
        count(p.uploaded, "uploaded"),
        count(p.mounted, "mounted"),
        count(p.existing, "already there"),
      ];
      out.line(`${p.references.join(", ")}: ${sent.join(", ")}`);
    }
    if (r.oci_layout) {
      out.line(`OCI layout written to ${r.oci_layout}`);
      out.line(`  skopeo inspect oci:${r.oci_layout}:${tagOf(r.tags[0]!)}`);
    }
    if (r.docker_archive) {
      out.line(`docker archive written to ${r.docker_archive}`);
      out.line(`  docker load -i ${r.docker_archive}`);
    }
  });
}

/** The version's bundle and snapshot in the standalone store. */
async function localSource(input: string, ctx: CommandContext): Promise<DockerizeSource> {
  const uri = parseResourceUri(input, uriContext(ctx.config), { type: "runtime" });
  if (!isLocal(uri.instance)) {
    throw invalidInput(
      "dockerize builds images of runtimes on this machine",
      "copy the runtime here first: swcli runtime copy URI local/project/self",
    );
  }
  const store = { root: ctx.config.storageRoot };
  const resolved = await resolveResourceUri(uri, storeResolver(store));
  const version = resolved.version!;
  return {
    name: resolved.name,
    bundlePath: bundlePath(store, resolved.project, resolved.name, version),
    snapshotDir: snapshotDir(store, resolved.project, resolved.name, version),
  };
}

/** One blob store and layer cache for every version: a base image's layers are kept once. */
const cacheDir = (ctx: CommandContext) => join(ctx.config.storageRoot, ".cache", "dockerize");

function engineOptions(options: DockerizeOptions, ctx: CommandContext): EngineOptions {
  const env = ctx.env;
  const pypi = {
    ...(env.SW_PYPI_INDEX_URL ? { indexUrl: env.SW_PYPI_INDEX_URL } : {}),
    ...(env.SW_PYPI_EXTRA_INDEX_URL ? { extraIndexUrl: env.SW_PYPI_EXTRA_INDEX_URL } : {}),
    ...(env.SW_PYPI_TRUSTED_HOST ? { trustedHost: env.SW_PYPI_TRUSTED_HOST } : {}),
    ...(env.SW_PYPI_TIMEOUT !== undefined ? { timeout: env.SW_PYPI_TIMEOUT } : {}),
    ...(env.SW_PYPI_RETRIES !== undefined ? { retries: env.SW_PYPI_RETRIES } : {}),
  };
  const configRepo = ctx.config.data.docker?.builtin_image_repo;
  return {
    tags: options.tags,
    platforms: options.platforms,
    push: options.push,
    ...(options.ociLayout ? { ociLayout: resolve(options.ociLayout) } : {}),
    ...(options.dockerArchive ? { dockerArchive: resolve(options.dockerArchive) } : {}),
    workDir: cacheDir(ctx),
    base: {
      ...(env.SW_DOCKERIZE_BASE_IMAGE ? { override: env.SW_DOCKERIZE_BASE_IMAGE } : {}),
      ...(env.SW_IMAGE_REPO ? { imageRepo: env.SW_IMAGE_REPO } : {}),
      ...(configRepo ? { configRepo } : {}),
      ...(env.SW_CUSTOM_BASE_IMAGE_VERSION ? { baseImageVersion: env.SW_CUSTOM_BASE_IMAGE_VERSION } : {}),
    },
    ...(env.SW_DOCKERIZE_BASE_PYTHON ? { basePython: env.SW_DOCKERIZE_BASE_PYTHON } : {}),
    registries: {
      credentials: {
        env: {
          SW_REGISTRY_USERNAME: env.SW_REGISTRY_USERNAME,
          SW_REGISTRY_PASSWORD: env.SW_REGISTRY_PASSWORD,
          SW_REGISTRY_HOST: env.SW_REGISTRY_HOST,
          DOCKER_CONFIG: env.DOCKER_CONFIG,
          HOME: env.home,
        },
      },
      insecure: env.SW_INSECURE_REGISTRIES,
    },
    pypi,
    // pip runs with the user's environment: PATH, PIP_* (find-links, indexes), proxies.
    env: { pipEnv: { ...env.inherited } },
    progress: ctx.progress,
    signal: ctx.signal,
  };
}

async function buildx(
  options: DockerizeOptions,
  source: DockerizeSource,
  ctx: CommandContext,
): Promise<void> {
  const env = ctx.env;
  const engine = engineOptions(options, ctx);
  const result = await dockerizeWithBuildx(source, {
    tags: options.tags,
    platforms: options.platforms,
    push: options.push,
    useStarwhaleBuilder: options.useStarwhaleBuilder,
    resetQemuStatic: options.resetQemuStatic,
    dryRun: options.dryRun,
    ...(engine.base ? { base: engine.base } : {}),
    ...(engine.pypi ? { pypi: engine.pypi } : {}),
    env: { ...env.inherited },
    proxies: { http: env.http_proxy ?? env.HTTP_PROXY, https: env.https_proxy ?? env.HTTPS_PROXY },
    progress: ctx.progress,
    signal: ctx.signal,
  });
  const json: RuntimeDockerizePlanJson = {
    builder: "buildx",
    name: source.name,
    version: result.version,
    tags: result.tags,
    platforms: result.platforms,
    base: result.base,
    base_digest: null,
    base_problem: null,
    layers: [],
    push: options.push,
    oci_layout: null,
    docker_archive: null,
    dockerfile: result.dockerfileText,
    dockerfile_path: result.dockerfile,
    commands: result.commands,
    notes: [],
  };
  ctx.output.result(json, (plan) => {
    if (!options.dryRun) {
      ctx.output.line(`built ${plan.tags.join(", ")} with docker buildx from ${plan.dockerfile_path}`);
      return;
    }
    ctx.output.line(`Dockerfile (written to ${plan.dockerfile_path}):`);
    ctx.output.line(plan.dockerfile);
    ctx.output.line("would run:");
    for (const command of plan.commands) ctx.output.line(`  ${command.map(shellQuote).join(" ")}`);
  });
}

function planJson(plan: DockerizePlan): RuntimeDockerizePlanJson {
  return {
    builder: "native",
    name: plan.name,
    version: plan.version,
    tags: plan.tags,
    platforms: plan.platforms,
    base: plan.base.reference,
    base_digest: plan.base.digest ?? null,
    base_problem: plan.base.problem ?? null,
    layers: plan.layers,
    push: plan.outputs.push,
    oci_layout: plan.outputs.ociLayout ?? null,
    docker_archive: plan.outputs.dockerArchive ?? null,
    dockerfile: plan.dockerfile,
    dockerfile_path: plan.dockerfilePath ?? null,
    commands: [],
    notes: plan.notes,
  };
}

function printPlanWith(ctx: CommandContext) {
  return (plan: RuntimeDockerizePlanJson) => {
    const out = ctx.output;
    out.line(`runtime:   ${plan.name}/version/${displayVersion(plan.version, false)}`);
    out.line(`base:      ${plan.base} (${plan.base_digest ?? `digest unknown: ${plan.base_problem}`})`);
    out.line(`platforms: ${plan.platforms.join(", ")}`);
    out.line(`tags:      ${plan.tags.join(", ")}`);
    for (const [i, layer] of plan.layers.entries()) {
      out.line(`${i === 0 ? "layers:   " : "          "} ${layer.path}: ${layer.from}`);
    }
    const outputs = [
      plan.push ? "push to the registries of the tags" : "",
      plan.oci_layout ? `OCI layout ${plan.oci_layout}` : "",
      plan.docker_archive ? `docker archive ${plan.docker_archive}` : "",
    ].filter(Boolean);
    out.line(`output:    ${outputs.join("; ")}`);
    for (const note of plan.notes) out.line(`note:      ${note}`);
    out.line("");
    out.line(`Dockerfile${plan.dockerfile_path ? ` (written to ${plan.dockerfile_path})` : ""}:`);
    out.line(plan.dockerfile);
  };
}

function tagOf(reference: string): string {
  const at = reference.lastIndexOf(":");
  return at > reference.lastIndexOf("/") ? reference.slice(at + 1) : "latest";
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
