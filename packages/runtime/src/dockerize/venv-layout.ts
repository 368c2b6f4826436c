import { lstat, mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { formatPyvenvCfg, parsePyvenvCfg } from "../bundle/relocate";
import type { BasePython } from "./base-python";
import { imageEnvPrefix } from "./plan";
import type { ExtraEntry } from "./tar-layer";

/*
 * The parts of a venv that tie it to an interpreter, made for the base image's Python instead of this machine's:
 * the interpreter links in bin/, pyvenv.cfg (`home`), lib64, an activate script when the env has none, the
 * restore status, and `python`/`python3` in /usr/local/bin, so that `python` on the default PATH is the runtime's.
 */

export interface VenvCompletion {
  python: BasePython;
  /** pyvenv.cfg of the packed env, whose extra keys (prompt, ...) are kept. */
  packedCfg?: Buffer;
  /** The runtime's name, for the prompt of a generated activate script. */
  prompt: string;
  /** Whether the env already has this image path (e.g. `/opt/.../venv/bin/activate`). */
  has: (path: string) => boolean;
}

/** The entries to add, at their absolute paths in the image. */
export function venvCompletion(options: VenvCompletion): ExtraEntry[] {
  const { python } = options;
  const env = imageEnvPrefix;
  const entries: ExtraEntry[] = [];
  const add = (entry: ExtraEntry) => {
    if (!options.has(entry.path)) entries.push(entry);
  };
  // As `python -m venv` lays them out: python → the interpreter, python3 and pythonX.Y → python.
  add({ path: `${env}/bin/python`, type: "symlink", target: python.path });
  add({ path: `${env}/bin/python3`, type: "symlink", target: "python" });
  add({ path: `${env}/bin/python${python.version}`, type: "symlink", target: "python" });
  add({ path: `${env}/lib64`, type: "symlink", target: "lib" });
  add({ path: `${env}/bin/activate`, type: "file", content: activateScript(options.prompt) });

  const cfg = parsePyvenvCfg(options.packedCfg?.toString("utf8") ?? "");
  cfg.set("home", posix.dirname(python.path));
  if (!cfg.has("include-system-site-packages")) cfg.set("include-system-site-packages", "false");
  const version = cfg.get("version") ?? "";
  if (!version.startsWith(`${python.version}.`) && version !== python.version)
    cfg.set("version", python.version);
  cfg.set("executable", python.path);
  cfg.set("command", `${python.path} -m venv ${env}`);
  entries.push({ path: `${env}/pyvenv.cfg`, type: "file", content: formatPyvenvCfg(cfg) });
  // What restore leaves behind on success, so `swcli runtime activate` inside the container does not restore again.
  entries.push({ path: `${env}/.runtime_restore_status`, type: "file", content: "success" });

  if (python.shell) {
    const wrapper = `#!/bin/sh\nexec ${env}/bin/python "$@"\n`;
    for (const name of ["python", "python3"]) {
      // Never shadow the interpreter itself: the env's links point at it.
      if (python.path === `/usr/local/bin/${name}`) continue;
      entries.push({ path: `/usr/local/bin/${name}`, type: "file", content: wrapper, mode: 0o755 });
    }
  }
  return entries;
}

/** Writes the completion into `stage`, the root of a layer being made on disk. */
export async function completeVenv(stage: string, options: Omit<VenvCompletion, "has">): Promise<void> {
  const exists = async (path: string) =>
    lstat(join(stage, path)).then(
      () => true,
      () => false,
    );
  const present = new Set<string>();
  for (const path of [
    "bin/python",
    "bin/python3",
    `bin/python${options.python.version}`,
    "lib64",
    "bin/activate",
  ]) {
    if (await exists(`${imageEnvPrefix}/${path}`)) present.add(`${imageEnvPrefix}/${path}`);
  }
  for (const entry of venvCompletion({ ...options, has: (path) => present.has(path) })) {
    const to = join(stage, entry.path);
    await mkdir(dirname(to), { recursive: true });
    if (entry.type === "symlink") await symlink(entry.target, to);
    else await writeFile(to, entry.content, { mode: entry.mode ?? 0o644 });
  }
}

/** A POSIX `bin/activate`, as venv writes it, for envs made without one. */
export function activateScript(prompt: string): string {
  const label = `(${prompt.replace(/[^\w.-]/g, "")}) `;
  return `# This file must be used with "source bin/activate" *from bash or sh*; you cannot run it directly.
deactivate () {
    if [ -n "\${_OLD_VIRTUAL_PATH:-}" ] ; then PATH="\${_OLD_VIRTUAL_PATH:-}"; export PATH; unset _OLD_VIRTUAL_PATH; fi
    if [ -n "\${_OLD_VIRTUAL_PYTHONHOME:-}" ] ; then PYTHONHOME="\${_OLD_VIRTUAL_PYTHONHOME:-}"; export PYTHONHOME; unset _OLD_VIRTUAL_PYTHONHOME; fi
    hash -r 2> /dev/null
    if [ -n "\${_OLD_VIRTUAL_PS1:-}" ] ; then PS1="\${_OLD_VIRTUAL_PS1:-}"; export PS1; unset _OLD_VIRTUAL_PS1; fi
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    if [ ! "\${1:-}" = "nondestructive" ] ; then unset -f deactivate; fi
}
deactivate nondestructive
VIRTUAL_ENV="${imageEnvPrefix}"
export VIRTUAL_ENV
_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH
if [ -n "\${PYTHONHOME:-}" ] ; then _OLD_VIRTUAL_PYTHONHOME="\${PYTHONHOME:-}"; unset PYTHONHOME; fi
if [ -z "\${VIRTUAL_ENV_DISABLE_PROMPT:-}" ] ; then
    _OLD_VIRTUAL_PS1="\${PS1:-}"
    PS1="${label}\${PS1:-}"
    export PS1
    VIRTUAL_ENV_PROMPT="${label}"
    export VIRTUAL_ENV_PROMPT
fi
hash -r 2> /dev/null
`;
}

/** Where the env sits inside a layer staged on disk at `stage`. */
export function stagedEnv(stage: string): string {
  return join(stage, imageEnvPrefix);
}
