import { lstat, mkdir, symlink, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { formatPyvenvCfg, parsePyvenvCfg } from "../bundle/relocate";
import type { BasePython } from "./base-python";
import { imageEnvPrefix } from "./plan";

/*
 * The parts of a venv that tie it to an interpreter, written for the base image's Python instead of this
 * machine's: the interpreter links in bin/, pyvenv.cfg (`home`), lib64, an activate script when the env has none,
 * and `python`/`python3` in /usr/local/bin, so that `python` on the default PATH is the runtime's.
 * `stage` is the root of the layer being made; the env sits at `stage + imageEnvPrefix`.
 */

export function stagedEnv(stage: string): string {
  return join(stage, imageEnvPrefix);
}

export interface VenvLinkOptions {
  python: BasePython;
  /** pyvenv.cfg of the packed env, whose extra keys (prompt, ...) are kept. */
  packedCfg?: Buffer;
  /** The runtime's name, for the prompt. */
  prompt: string;
}

export async function completeVenv(stage: string, options: VenvLinkOptions): Promise<void> {
  const env = stagedEnv(stage);
  const { python } = options;
  const bin = join(env, "bin");
  await mkdir(bin, { recursive: true });
  await mkdir(join(env, "lib", `python${python.version}`, "site-packages"), { recursive: true });
  // As `python -m venv` lays them out: python → the interpreter, python3 and pythonX.Y → python.
  await replaceLink(join(bin, "python"), python.path);
  await replaceLink(join(bin, "python3"), "python");
  await replaceLink(join(bin, `python${python.version}`), "python");
  if (!(await exists(join(env, "lib64")))) await symlink("lib", join(env, "lib64"));

  const cfg = parsePyvenvCfg(options.packedCfg?.toString("utf8") ?? "");
  cfg.set("home", posix.dirname(python.path));
  if (!cfg.has("include-system-site-packages")) cfg.set("include-system-site-packages", "false");
  const version = cfg.get("version") ?? "";
  if (!version.startsWith(`${python.version}.`) && version !== python.version)
    cfg.set("version", python.version);
  cfg.set("executable", python.path);
  cfg.set("command", `${python.path} -m venv ${imageEnvPrefix}`);
  await writeFile(join(env, "pyvenv.cfg"), formatPyvenvCfg(cfg));

  if (!(await exists(join(bin, "activate")))) {
    await writeFile(join(bin, "activate"), activateScript(options.prompt));
  }
  // What restore leaves behind on success, so `swcli runtime activate` inside the container does not restore again.
  await writeFile(join(env, ".runtime_restore_status"), "success");

  if (python.shell) {
    const wrapper = `#!/bin/sh\nexec ${imageEnvPrefix}/bin/python "$@"\n`;
    await mkdir(join(stage, "usr", "local", "bin"), { recursive: true });
    for (const name of ["python", "python3"]) {
      // Never shadow the interpreter itself: the env's links point at it.
      if (python.path === `/usr/local/bin/${name}`) continue;
      await writeFile(join(stage, "usr", "local", "bin", name), wrapper, { mode: 0o755 });
    }
  }
}

async function replaceLink(path: string, target: string): Promise<void> {
  if (await exists(path)) return;
  await symlink(target, path);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
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
