import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { invalidInput } from "@swhub/shared/errors";
import { extract } from "tar-stream";
import type { Descriptor, ImageConfig } from "../oci/types";

/*
 * Which Python a base image has, without running it. In order: the interpreter named by a setting; the
 * `swhub.python` label (interpreter paths); `PYTHON_VERSION` in the config's env (the official python images,
 * which keep it at /usr/local/bin/pythonX.Y); else the filesystem, read from the layers' tar headers, top layer
 * first, whiteouts applied.
 */

export const pythonLabel = "swhub.python";

export interface BaseFilesystemFacts {
  /** Interpreters found, symlinks resolved: `{ version: "3.11", path: "/usr/bin/python3.11" }`. */
  pythons: { version: string; path: string }[];
  /** Whether `/bin/sh` exists (the entrypoint and the `python` wrapper need it). */
  shell: boolean;
}

export interface BasePython {
  /** X.Y */
  version: string;
  /** The interpreter file in the image, e.g. `/usr/bin/python3.11`. */
  path: string;
  shell: boolean;
  via: "setting" | "label" | "env" | "filesystem";
}

const versionedName = /^python(\d+\.\d+)$/;

/** Interpreters the config names (setting, label, env), without reading layers; undefined if it says nothing. */
export function pythonsFromConfig(
  config: ImageConfig,
  setting?: string,
): { facts: BaseFilesystemFacts; via: BasePython["via"] } | undefined {
  const named = (paths: string[]) =>
    paths
      .map((path) => ({ path, version: versionedName.exec(posix.basename(path))?.[1] ?? "" }))
      .filter((p) => p.path.startsWith("/"));
  if (setting?.trim()) return { facts: { pythons: named([setting.trim()]), shell: true }, via: "setting" };
  const label = config.config?.Labels?.[pythonLabel]?.trim();
  if (label) return { facts: { pythons: named(label.split(/\s+/)), shell: true }, via: "label" };
  const env = (config.config?.Env ?? []).find((line) => line.startsWith("PYTHON_VERSION="));
  const xy = /^PYTHON_VERSION=(\d+\.\d+)/.exec(env ?? "")?.[1];
  if (xy)
    return {
      facts: { pythons: [{ version: xy, path: `/usr/local/bin/python${xy}` }], shell: true },
      via: "env",
    };
  return undefined;
}

/**
 * Picks the interpreter for Python `wanted` (X.Y). An unnamed interpreter from a setting is trusted to be it.
 * Fails naming what the image has when none fits.
 */
export function selectPython(
  facts: BaseFilesystemFacts,
  via: BasePython["via"],
  wanted: string,
  image: string,
): BasePython {
  const exact = facts.pythons.find((p) => p.version === wanted);
  const trusted = via === "setting" ? facts.pythons.find((p) => p.version === "") : undefined;
  const found = exact ?? trusted;
  if (found) return { version: wanted, path: found.path, shell: facts.shell, via };
  const has = [...new Set(facts.pythons.map((p) => p.version).filter(Boolean))];
  throw invalidInput(
    `the base image ${image} cannot serve this runtime: it needs Python ${wanted}, and the image has ${
      has.length ? `Python ${has.join(", ")}` : "no Python"
    }${via === "filesystem" ? "" : ` (by its ${via === "env" ? "PYTHON_VERSION variable" : `${via}`})`}`,
    `use a base image with python${wanted} (runtime.yaml environment.docker.image, or SW_DOCKERIZE_BASE_IMAGE)`,
  );
}

type Node = { type: "file" | "dir" | "symlink"; target?: string };

/** Reads the layers' file lists (top first) and finds interpreters named `pythonX.Y` and `/bin/sh`. */
export async function scanBaseFilesystem(
  layers: Descriptor[],
  open: (layer: Descriptor) => Promise<Readable>,
): Promise<BaseFilesystemFacts> {
  const nodes = new Map<string, Node>();
  const hidden = new Set<string>();
  for (const layer of [...layers].reverse()) {
    if (layer.mediaType.includes("zstd")) {
      throw invalidInput(
        "a base image layer is zstd-compressed, which the native builder cannot read yet",
        "name the interpreter with SW_DOCKERIZE_BASE_PYTHON, e.g. /usr/bin/python3.11",
      );
    }
    const hiddenBelow: string[] = [];
    const isHidden = (path: string) => {
      for (let at = path.length; at > 0; at = path.lastIndexOf("/", at - 1)) {
        if (hidden.has(path.slice(0, at))) return true;
      }
      return false;
    };
    const entries = extract();
    const reading = (async () => {
      for await (const entry of entries) {
        const path = posix.normalize(`/${entry.header.name}`).slice(1).replace(/\/$/, "");
        const base = posix.basename(path);
        const dir = posix.dirname(path);
        if (base === ".wh..wh..opq") hiddenBelow.push(`${dir}/\0opaque`);
        else if (base.startsWith(".wh.")) hiddenBelow.push(posix.join(dir, base.slice(4)));
        else if (path && !nodes.has(path) && !isHidden(path)) {
          const type = entry.header.type;
          if (type === "directory") nodes.set(path, { type: "dir" });
          else if (type === "symlink")
            nodes.set(path, { type: "symlink", target: entry.header.linkname ?? "" });
          else if (type === "file" || type === "link" || type === "contiguous-file")
            nodes.set(path, { type: "file" });
        }
        entry.resume();
      }
    })();
    const stream = await open(layer);
    const gzipped = layer.mediaType.endsWith("gzip");
    await Promise.all([
      gzipped ? pipeline(stream, createGunzip(), entries) : pipeline(stream, entries),
      reading,
    ]);
    for (const path of hiddenBelow) {
      // An opaque directory hides what lower layers had in it, but not itself.
      hidden.add(path.endsWith("/\0opaque") ? path.slice(0, -"/\0opaque".length) : path);
      if (path.endsWith("/\0opaque")) nodes.set(path.slice(0, -"/\0opaque".length), { type: "dir" });
    }
  }

  const pythons = new Map<string, string>();
  const candidates = [...nodes.keys()]
    .filter((p) => versionedName.test(posix.basename(p)))
    .sort(byPreference);
  for (const candidate of candidates) {
    const version = versionedName.exec(posix.basename(candidate))![1]!;
    const resolved = resolveIn(nodes, candidate);
    if (resolved && nodes.get(resolved)?.type === "file" && !pythons.has(version)) {
      pythons.set(version, `/${resolved}`);
    }
  }
  const sh = resolveIn(nodes, "bin/sh");
  return {
    pythons: [...pythons].map(([version, path]) => ({ version, path })),
    shell: sh !== undefined && nodes.get(sh)?.type === "file",
  };
}

const preferredDirs = ["usr/local/bin", "usr/bin", "bin", "opt/conda/bin"];

function byPreference(a: string, b: string): number {
  const rank = (p: string) => {
    const at = preferredDirs.indexOf(posix.dirname(p));
    return at < 0 ? preferredDirs.length : at;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Follows symlinks (also of parent directories) inside the image; undefined when it does not end anywhere. */
function resolveIn(nodes: Map<string, Node>, path: string): string | undefined {
  let parts = path.split("/").filter(Boolean);
  for (let hops = 0, i = 0; i < parts.length; ) {
    const current = parts.slice(0, i + 1).join("/");
    const node = nodes.get(current);
    if (node?.type === "symlink") {
      if (++hops > 40) return undefined;
      const target = node.target ?? "";
      const base = target.startsWith("/") ? [] : parts.slice(0, i);
      const joined = posix.normalize(`/${[...base, target].join("/")}`).slice(1);
      parts = [...joined.split("/").filter(Boolean), ...parts.slice(i + 1)];
      i = 0;
      continue;
    }
    i++;
  }
  const final = parts.join("/");
  return nodes.has(final) ? final : undefined;
}
