import { isExtracted, parseRuntimeManifest, readRuntimeFile } from "@swhub/runtime/restore/snapshot";
import { bundlePath, runtimeVersions, snapshotDir } from "@swhub/runtime/store/index";
import { formatResourceUri, isLocal } from "@swhub/shared/uri";
import { parse } from "yaml";
import type { CommandContext } from "../../command";
import type { InfoOptions } from "../../commands/runtime/info";
import { humanSize, humanTime } from "../../output/format";
import type { RuntimeInfoJson } from "../../output/shapes";
import { resolveLocalRuntime, runtimeTarget, versionOf } from "../../store";

/**
 * `swcli runtime info`: the sections the filter asks for (spec §7.2), read from the snapshot when the runtime is
 * extracted, else from the bundle. JSON: `RuntimeInfoJson`, with every section for `-of all` (DESIGN difference 6).
 */
export async function info(options: InfoOptions, ctx: CommandContext): Promise<void> {
  const target = runtimeTarget(ctx, options.runtime);
  if (!isLocal(target.instance)) return (await import("./remote")).info(target, options, ctx);
  const { store, uri } = await resolveLocalRuntime(ctx, options.runtime, { command: "runtime info" });
  const version = versionOf(uri);
  const bundle = bundlePath(store, uri.project, uri.name, version);
  const snapshot = snapshotDir(store, uri.project, uri.name, version);
  const extracted = await isExtracted(snapshot);
  const read = async (path: string) => (await readRuntimeFile(bundle, snapshot, path)).toString("utf8");

  const manifestText = await read("_manifest.yaml");
  const manifest = parseRuntimeManifest(manifestText, `${bundle}: _manifest.yaml`);
  const row = (await runtimeVersions(store, uri.project, uri.name)).find((v) => v.version === version);
  const wants = (section: InfoOptions["outputFilter"]) =>
    options.outputFilter === section || options.outputFilter === "all";

  const data: RuntimeInfoJson = {
    basic: {
      name: uri.name,
      version,
      uri: formatResourceUri(uri),
      project: uri.project,
      tags: row?.tags ?? [],
      size: row?.size ?? 0,
      created_at: (row?.createdAt ?? new Date(0)).toISOString(),
      bundle_path: bundle,
      snapshot_workdir: extracted ? snapshot : null,
      mode: manifest.environment.mode,
      python: manifest.environment.python,
      packed_env: manifest.dependencies.local_packaged_env,
    },
  };
  if (wants("runtime_yaml"))
    data.runtime_yaml = await read(manifest.artifacts?.runtime_yaml ?? "runtime.yaml");
  // As written in the file, not as our schema fills it in.
  if (wants("manifest")) data.manifest = parse(manifestText) as Record<string, unknown>;
  if (wants("lock")) {
    data.lock = {};
    for (const file of manifest.environment.lock?.files ?? []) {
      const path = `dependencies/${file}`;
      data.lock[path] = await read(path);
    }
  }

  renderInfo(ctx, data, options, manifestText);
}

/** `manifestText` is shown as written; JSON has it parsed. */
export function renderInfo(
  ctx: CommandContext,
  data: RuntimeInfoJson,
  options: InfoOptions,
  manifestText: string,
): void {
  ctx.output.result(data, (result) => {
    const titled = options.outputFilter === "all";
    let sections = 0;
    const section = (title: string) => {
      if (!titled) return;
      if (sections++ > 0) ctx.output.line();
      ctx.output.line(`== ${title} ==`);
    };
    if (options.outputFilter === "basic" || titled) {
      section("basic");
      printBasic(ctx, result.basic);
    }
    if (result.runtime_yaml !== undefined) {
      section("runtime.yaml");
      ctx.output.line(result.runtime_yaml.trimEnd());
    }
    if (result.manifest !== undefined) {
      section("_manifest.yaml");
      ctx.output.line(manifestText.trimEnd());
    }
    if (result.lock !== undefined) {
      section("lock");
      const files = Object.entries(result.lock);
      if (files.length === 0)
        ctx.output.line("(the runtime has no lock file: it was built with --disable-env-lock)");
      for (const [path, text] of files) {
        ctx.output.line(`#lock file: ${path.split("/").pop()}`);
        ctx.output.line(text.trimEnd());
      }
    }
  });
}

function printBasic(ctx: CommandContext, basic: RuntimeInfoJson["basic"]): void {
  const fields: [string, string][] = [
    ["name", basic.name],
    ["version", basic.version],
    ["uri", basic.uri],
    ["project", basic.project],
    ["tags", basic.tags.join(", ")],
    [
      "mode",
      `${basic.mode ?? ""}${basic.python ? `, Python ${basic.python}` : ""}${basic.packed_env ? ", packed environment" : ""}`,
    ],
    ["size", humanSize(basic.size)],
    ["created", humanTime(new Date(basic.created_at))],
    ...(basic.bundle_path === null
      ? []
      : ([
          ["bundle", basic.bundle_path],
          ["snapshot", basic.snapshot_workdir ?? "(not extracted)"],
        ] as [string, string][])),
  ];
  for (const [label, value] of fields) ctx.output.line(`${`${label}:`.padEnd(10)}${value}`);
}
