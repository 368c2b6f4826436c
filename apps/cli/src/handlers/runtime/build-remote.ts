import { randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { collectArtifacts } from "@swhub/runtime/build/artifacts";
import { packBundle } from "@swhub/runtime/bundle/pack";
import { tmpDir } from "@swhub/runtime/store/layout";
import { AppError, invalidInput } from "@swhub/shared/errors";
import { parseRuntimeYaml } from "@swhub/shared/schemas";
import { formatResourceUri, type ProjectUri } from "@swhub/shared/uri";
import type { CommandContext } from "../../command";
import type { BuildOptions } from "../../commands/runtime/build";
import { displayVersion } from "../../output/format";
import { followJob } from "../../remote/job-events";
import { openServer } from "../../remote/open";
import { uploadFile } from "../../remote/upload";
import { openStore } from "../../store";

/** What `swcli -o json runtime build --project cloud://…` prints. */
export interface RemoteBuildJson {
  uri: string;
  project: string;
  name: string;
  version: string;
  alias: string;
  tags: string[];
  job: string;
  digest: string;
  size: number;
}

/**
 * `swcli runtime build -y runtime.yaml --project cloud://A/project/P`: the server builds. runtime.yaml and the
 * files it names (requirements, wheels, native files) are packed as the build context and uploaded with the blob
 * protocol (only when the project lacks it), the build is submitted as a job, and its events are followed:
 * phases and pip's output on stderr, the new version on stdout. The exit code is the job's: 0 when it succeeded.
 * Ctrl-C cancels the job.
 */
export async function buildOnServer(
  options: BuildOptions,
  target: ProjectUri,
  ctx: CommandContext,
): Promise<void> {
  const source = options.source;
  if (source.kind !== "yaml" && source.kind !== "docker") {
    throw invalidInput(
      `a server builds from runtime.yaml (-y) or an image (-d), not from a local ${source.kind === "shell" ? "shell" : source.kind} environment`,
      "build it locally, then copy it: swcli runtime copy",
    );
  }
  for (const [flag, set] of [
    ["--push", options.push],
    ["--pack-env", options.packEnv],
    ["--no-cache", options.noCache],
    ["--dump-pip-options", options.dumpPipOptions],
    ["--dump-condarc", options.dumpCondarc],
  ] as const) {
    if (set) throw invalidInput(`${flag} is for local builds; the server builds with its own settings`);
  }
  const server = openServer(ctx, target.instance);
  const store = openStore(ctx);
  let submitted: {
    source: { kind: "yaml"; contextDigest: string; yamlPath: string } | { kind: "docker"; image: string };
    name: string;
  };
  if (source.kind === "yaml") {
    const context = await packContext(resolve(source.path), join(tmpDir(store), "contexts"));
    try {
      const { digest } = await uploadFile(server, target.project, context.tar, {
        progress: ctx.progress,
        signal: ctx.signal,
        stateDir: join(tmpDir(store), "transfers"),
      });
      submitted = {
        source: { kind: "yaml", contextDigest: digest, yamlPath: context.yamlPath },
        name: options.name ?? context.name,
      };
    } finally {
      await rm(context.dir, { recursive: true, force: true });
    }
  } else {
    submitted = {
      source: { kind: "docker", image: source.image },
      name: options.name ?? dockerName(source.image),
    };
  }

  const { job } = await server.call((t) =>
    t.job.submitBuild.mutate({
      project: target.project,
      runtimeName: submitted.name,
      source: submitted.source,
      tags: options.tags,
      disableEnvLock: options.disableEnvLock,
      requestId: randomUUID(),
    }),
  );
  ctx.progress.log(`build job ${job.id} submitted to ${server.alias}`, "engine");
  const cancelOnInterrupt = () => {
    void server.call((t) => t.job.cancel.mutate({ job: job.id })).catch(() => {});
  };
  ctx.signal.addEventListener("abort", cancelOnInterrupt, { once: true });
  let final: Awaited<ReturnType<typeof followJob>>;
  try {
    final = await followJob(server, job.id, {
      signal: ctx.signal,
      onReconnect: (reason) => ctx.progress.log(`reconnecting to the job's events (${reason})`, "engine"),
      onEvent(event) {
        if (event.type === "phase") ctx.progress.phase(event.phase, 100, "items");
        else if (event.type === "progress") ctx.progress.update(event.percent, 100);
        else if (event.type === "log") ctx.progress.log(event.line, event.stream);
      },
    });
  } finally {
    ctx.signal.removeEventListener("abort", cancelOnInterrupt);
  }
  if (final.state !== "succeeded") {
    ctx.progress.close(false);
    throw new AppError(
      final.state === "cancelled" ? "conflict" : "invalid_input",
      `build job ${job.id} ${final.state}: ${final.reason ?? "no reason given"}`,
      final.state === "failed" ? "its whole log is in the console, under the project's jobs" : undefined,
    );
  }
  const made = final.result as {
    name: string;
    version: string;
    alias: string;
    tags: string[];
    digest: string;
    size: number;
  };
  const uri = formatResourceUri({
    instance: target.instance,
    project: target.project,
    type: "runtime",
    name: made.name,
    version: made.version,
  });
  const result: RemoteBuildJson = {
    uri,
    project: target.project,
    name: made.name,
    version: made.version,
    alias: made.alias,
    tags: made.tags,
    job: job.id,
    digest: made.digest,
    size: made.size,
  };
  ctx.progress.close(true);
  ctx.output.result(result, (r) =>
    ctx.output.line(
      `built ${r.uri} on the server (version ${displayVersion(r.version, false)}, ${r.alias}, job ${r.job})`,
    ),
  );
}

/** The image's last path segment, as a local `--docker` build names its runtime. */
function dockerName(image: string): string {
  const path = image.split("@")[0]!.split("/").at(-1)!;
  return path.split(":")[0]!.replace(/[^A-Za-z0-9_.-]/g, "-");
}

/**
 * The build context: runtime.yaml and what it names, at their paths relative to its directory (the engine
 * refuses paths that leave it), packed as a reproducible tar so an unchanged context is uploaded once.
 */
async function packContext(
  yamlFile: string,
  scratch: string,
): Promise<{ dir: string; tar: string; yamlPath: string; name: string }> {
  const text = await readFile(yamlFile, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new AppError(
      error.code === "ENOENT" ? "not_found" : "invalid_input",
      error.code === "ENOENT" ? `${yamlFile} does not exist` : `cannot read ${yamlFile}: ${error.message}`,
      "pass runtime.yaml with -y",
    );
  });
  const yaml = parseRuntimeYaml(text, yamlFile);
  const baseDir = dirname(yamlFile);
  const artifacts = await collectArtifacts(yaml, baseDir);
  await mkdir(scratch, { recursive: true });
  const dir = await mkdtemp(join(scratch, "context-"));
  try {
    const root = join(dir, "context");
    await mkdir(root);
    const yamlPath = basename(yamlFile);
    await cp(yamlFile, join(root, yamlPath));
    for (const copy of artifacts.copies) {
      const rel = relative(baseDir, copy.from);
      await mkdir(dirname(join(root, rel)), { recursive: true });
      await cp(copy.from, join(root, rel), { recursive: true });
    }
    const tar = join(dir, "context.tar");
    await packBundle(tar, { dir: root });
    return { dir, tar, yamlPath, name: yaml.name };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
