import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { AppError } from "@swhub/shared/errors";
import { type ProgressSink, silentProgress } from "@swhub/shared/progress";
import { formatPlatform } from "../oci/types";
import type { PypiSettings } from "./pip-options";
import { imagePypiEnv } from "./pip-options";
import type { BaseImageSettings } from "./plan";
import { chooseBaseImage, imageTags, parseTargetPlatforms } from "./plan";
import { type DockerizeSource, readRuntime } from "./runtime-source";
import { prepareSnapshot } from "./snapshot";

/*
 * `--builder buildx`: Starwhale's way (spec §6.3), for machines with a Docker daemon. The Dockerfile and a
 * `.dockerignore` are written into the snapshot, which is the build context, and `docker buildx build` runs.
 */

export const starwhaleBuilder = "starwhale-multiarch-runtime-builder";

export interface BuildxOptions {
  tags?: readonly string[];
  platforms?: readonly string[];
  push?: boolean;
  /** Create Starwhale's multi-arch builder if missing, and build with it. */
  useStarwhaleBuilder?: boolean;
  /** Reset qemu-user-static first (for building other architectures under emulation). */
  resetQemuStatic?: boolean;
  /** Print nothing but the commands; run none. */
  dryRun?: boolean;
  base?: BaseImageSettings;
  pypi?: PypiSettings;
  /** The environment docker runs in (DOCKER_HOST, ...); default this process's. */
  env?: NodeJS.ProcessEnv;
  /** `http_proxy`/`https_proxy` for Starwhale's builder container. */
  proxies?: { http?: string | undefined; https?: string | undefined };
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface BuildxInput {
  snapshotDir: string;
  dockerfile: string;
  tags: readonly string[];
  platforms: readonly string[];
  push: boolean;
  useStarwhaleBuilder: boolean;
  resetQemuStatic: boolean;
  /** `http_proxy`/`https_proxy` handed to the builder container. */
  proxies?: { http?: string | undefined; https?: string | undefined };
}

/** The docker commands, in order. Creating the builder is conditional: it runs only if inspecting it fails. */
export function buildxCommands(input: BuildxInput): {
  create?: string[];
  inspect?: string[];
  run: string[][];
} {
  const run: string[][] = [];
  if (input.resetQemuStatic) {
    run.push([
      "docker",
      "run",
      "--rm",
      "--privileged",
      "multiarch/qemu-user-static",
      "--reset",
      "-p",
      "-yes",
    ]);
  }
  const build = ["docker", "buildx", "build", "--network", "host", "--pull", "--progress", "plain"];
  if (input.useStarwhaleBuilder) build.push("--builder", starwhaleBuilder);
  for (const platform of input.platforms) build.push("--platform", platform);
  for (const tag of input.tags) build.push("--tag", tag);
  build.push(input.push ? "--push" : "--load", "--file", input.dockerfile, input.snapshotDir);
  run.push(build);
  if (!input.useStarwhaleBuilder) return { run };
  const proxyOpts = Object.entries(input.proxies ?? {})
    .filter(([, value]) => value)
    .flatMap(([name, value]) => ["--driver-opt", `env.${name}_proxy=${value}`]);
  return {
    inspect: ["docker", "buildx", "inspect", "--builder", starwhaleBuilder],
    create: [
      "docker",
      "buildx",
      "create",
      "--bootstrap",
      "--name",
      starwhaleBuilder,
      "--driver",
      "docker-container",
      ...proxyOpts,
      "--driver-opt",
      "network=host",
    ],
    run,
  };
}

export interface BuildxResult {
  version: string;
  tags: string[];
  platforms: string[];
  /** The base image the Dockerfile starts from. */
  base: string;
  /** Where the Dockerfile was written, and what it says. */
  dockerfile: string;
  dockerfileText: string;
  commands: string[][];
  ran: boolean;
}

export async function dockerizeWithBuildx(
  source: DockerizeSource,
  options: BuildxOptions,
): Promise<BuildxResult> {
  const progress = options.progress ?? silentProgress;
  const snapshotDir = source.snapshotDir;
  if (!snapshotDir) throw new AppError("internal", "docker buildx builds from a snapshot directory");
  const runtime = await readRuntime(source);
  const tags = imageTags(options.tags ?? [], runtime.manifest, runtime.version);
  const platforms = parseTargetPlatforms(options.platforms ?? []).map(formatPlatform);
  const base = chooseBaseImage(runtime.manifest, options.base);
  const dockerfile = await prepareSnapshot(
    { ...source, snapshotDir },
    runtime,
    base.reference,
    imagePypiEnv(runtime.manifest, options.pypi),
    {
      dockerIgnore: true,
    },
  );
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), DOCKER_CLI_EXPERIMENTAL: "enabled" };
  const commands = buildxCommands({
    snapshotDir,
    dockerfile,
    tags,
    platforms,
    push: options.push ?? false,
    useStarwhaleBuilder: options.useStarwhaleBuilder ?? false,
    resetQemuStatic: options.resetQemuStatic ?? false,
    ...(options.proxies ? { proxies: options.proxies } : {}),
  });
  const all = [...(commands.inspect ? [commands.inspect, commands.create!] : []), ...commands.run];
  const result: BuildxResult = {
    version: runtime.version,
    tags,
    platforms,
    base: base.reference,
    dockerfile,
    dockerfileText: await readFile(dockerfile, "utf8"),
    commands: all,
    ran: false,
  };
  if (options.dryRun) return result;

  await checkDaemon(env);
  progress.phase("buildx");
  if (commands.inspect && (await runDocker(commands.inspect, env, progress, options.signal)) !== 0) {
    await runChecked(commands.create!, env, progress, options.signal);
  }
  for (const command of commands.run) await runChecked(command, env, progress, options.signal);
  return { ...result, ran: true };
}

/** One clear line when there is no docker, or no daemon behind it. */
export async function checkDaemon(env: NodeJS.ProcessEnv): Promise<void> {
  const lines: string[] = [];
  let code: number | null;
  try {
    code = await runDocker(["docker", "info", "--format", "{{.ServerVersion}}"], env, {
      ...silentProgress,
      log: (line) => lines.push(line),
    });
  } catch {
    throw new AppError(
      "invalid_input",
      "--builder buildx needs the docker command, which is not installed here",
      "leave out --builder buildx: the native builder needs no Docker",
    );
  }
  if (code !== 0) {
    const said = lines.find((l) => /daemon|connect/i.test(l)) ?? lines[0] ?? `exit ${code}`;
    throw new AppError(
      "invalid_input",
      `--builder buildx needs a running Docker daemon, and none answers here (${said.trim()})`,
      "leave out --builder buildx: the native builder needs no Docker daemon",
    );
  }
}

async function runChecked(
  command: string[],
  env: NodeJS.ProcessEnv,
  progress: ProgressSink,
  signal?: AbortSignal,
) {
  const code = await runDocker(command, env, progress, signal);
  if (code !== 0) throw new AppError("internal", `${command.slice(0, 3).join(" ")} failed (exit ${code})`);
}

function runDocker(
  command: string[],
  env: NodeJS.ProcessEnv,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(signal ? { signal } : {}),
    });
    const forward = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) progress.log(line, stream);
    };
    child.stdout.on("data", forward("stdout"));
    child.stderr.on("data", forward("stderr"));
    child.on("error", reject);
    child.on("close", resolve);
  });
}
