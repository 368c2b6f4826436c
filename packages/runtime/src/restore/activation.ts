import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic";
import type { Mode } from "./plan";

/*
 * How a restored environment is entered: the files restore leaves in the runtime's workdir, as Starwhale does
 * (`env.sw`, `activate.host`, `activate.sw`), and the shell set-ups `runtime activate` starts (spec §4.2).
 */

/** Set in every shell `runtime activate` opens, and exported by its `--print` command. */
export const activatedEnvNames = {
  mode: "SW_ACTIVATED_RUNTIME_MODE_IN_SHELL",
  prefix: "SW_ACTIVATED_RUNTIME_PREFIX_IN_SHELL",
  uri: "SW_ACTIVATED_RUNTIME_URI_IN_SHELL",
} as const;

export interface ActivationTarget {
  mode: Mode;
  /** The environment's directory. */
  prefix: string;
  /** The runtime's URI, or "" when restored from a bare directory. */
  uri: string;
}

export function activatedEnv(target: ActivationTarget): Record<string, string> {
  return {
    [activatedEnvNames.mode]: target.mode,
    [activatedEnvNames.prefix]: target.prefix,
    [activatedEnvNames.uri]: target.uri,
  };
}

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** fish quoting: single quotes, where only `\` and `'` are escaped. */
export function fishQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

export type ShellKind = "bash" | "zsh" | "fish" | "sh";

/** The shell family of a `$SHELL` path; anything unknown gets POSIX commands (and is not started). */
export function shellKind(shell: string | undefined): ShellKind {
  const name = basename(shell ?? "").replace(/\.exe$/, "");
  return name === "bash" || name === "zsh" || name === "fish" ? name : "sh";
}

/** The command that activates the environment in the current shell. */
export function activationCommand(target: ActivationTarget, kind: ShellKind): string {
  if (target.mode === "conda") {
    return `conda activate ${kind === "fish" ? fishQuote(target.prefix) : shQuote(target.prefix)}`;
  }
  if (kind === "fish") return `source ${fishQuote(join(target.prefix, "bin", "activate.fish"))}`;
  return `source ${shQuote(join(target.prefix, "bin", "activate"))}`;
}

/** What `runtime activate --print` prints, for `eval "$(…)"` (or `… | source` in fish). */
export function printedActivation(target: ActivationTarget, kind: ShellKind): string {
  const vars = Object.entries(activatedEnv(target));
  const exports =
    kind === "fish"
      ? vars.map(([name, value]) => `set -gx ${name} ${fishQuote(value)}`)
      : [`export ${vars.map(([name, value]) => `${name}=${shQuote(value)}`).join(" ")}`];
  return [...exports, activationCommand(target, kind)].join("\n");
}

/**
 * The files restore writes next to `_manifest.yaml`: `env.sw` (the SW_ACTIVATED_* variables) and two scripts
 * that print the activation command, `activate.host` for this machine and `activate.sw` for a runtime container
 * (`eval "$(./activate.sw)"`). Our environments are relocated when unpacked, so both print the same command.
 */
export async function writeActivationFiles(workdir: string, target: ActivationTarget): Promise<void> {
  const env = Object.entries(activatedEnv(target))
    .map(([name, value]) => `${name}=${value}\n`)
    .join("");
  const script = `#!/bin/sh\necho ${shQuote(activationCommand(target, "sh"))}\n`;
  await writeFileAtomic(join(workdir, "env.sw"), env, { durable: false });
  await writeFileAtomic(join(workdir, "activate.host"), script, { durable: false, mode: 0o755 });
  await writeFileAtomic(join(workdir, "activate.sw"), script, { durable: false, mode: 0o755 });
}

export interface ShellLaunch {
  command: string;
  args: string[];
  /** Variables to add to the user's environment. */
  env: Record<string, string>;
}

export interface ShellLaunchOptions {
  /** The shell to start (`$SHELL`). */
  shell: string;
  /** Where start-up files for the shell may be written. */
  rcDir: string;
  /** The user's `$ZDOTDIR`, if set: zsh start-up files are read from there instead of `$HOME`. */
  zdotdir?: string;
}

/**
 * Writes the start-up files and returns how to start an interactive `kind` shell that first runs the user's own
 * start-up file, then activates the environment: bash with `--rcfile`, zsh with `ZDOTDIR`, fish with `-C`.
 */
export async function prepareShell(
  target: ActivationTarget,
  kind: Exclude<ShellKind, "sh">,
  options: ShellLaunchOptions,
): Promise<ShellLaunch> {
  const env = activatedEnv(target);
  const activate = activationCommand(target, kind);
  if (kind === "fish") return { command: options.shell, args: ["-C", activate], env };
  await mkdir(options.rcDir, { recursive: true });
  if (kind === "bash") {
    const rcfile = join(options.rcDir, "bashrc");
    await writeFileAtomic(rcfile, `[ -f ~/.bashrc ] && . ~/.bashrc\n${activate}\n`, { durable: false });
    return { command: options.shell, args: ["--rcfile", rcfile, "-i"], env };
  }
  // zsh reads .zshenv and .zshrc from $ZDOTDIR. Ours source the user's (from where they would have been read),
  // then hand ZDOTDIR back, so history and later start-up files behave as in any other shell.
  const user = `\${SW_USER_ZDOTDIR:-$HOME}`;
  await writeFileAtomic(
    join(options.rcDir, ".zshenv"),
    [
      "_sw_rc_dir=$ZDOTDIR",
      `ZDOTDIR=${user}`,
      '[[ -f "$ZDOTDIR/.zshenv" ]] && source "$ZDOTDIR/.zshenv"',
      '[[ "$ZDOTDIR" != "$HOME" ]] && export SW_USER_ZDOTDIR=$ZDOTDIR',
      "ZDOTDIR=$_sw_rc_dir",
      "unset _sw_rc_dir",
      "",
    ].join("\n"),
    { durable: false },
  );
  await writeFileAtomic(
    join(options.rcDir, ".zshrc"),
    [
      `ZDOTDIR=${user}`,
      '[[ -f "$ZDOTDIR/.zshrc" ]] && source "$ZDOTDIR/.zshrc"',
      'if [[ -n "$SW_USER_ZDOTDIR" ]]; then export ZDOTDIR=$SW_USER_ZDOTDIR; else unset ZDOTDIR; fi',
      "unset SW_USER_ZDOTDIR",
      activate,
      "",
    ].join("\n"),
    { durable: false },
  );
  return {
    command: options.shell,
    args: ["-i"],
    env: {
      ...env,
      ZDOTDIR: options.rcDir,
      ...(options.zdotdir ? { SW_USER_ZDOTDIR: options.zdotdir } : {}),
    },
  };
}
