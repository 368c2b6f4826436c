import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { instanceByUrl, type UriContext } from "@swhub/shared/uri";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import type { Env } from "./env";

/**
 * The client config file, in Starwhale's format (spec §0) so both tools can share one:
 *
 *   version: "2.0"
 *   current_instance: local
 *   instances:
 *     local: { uri: local, type: standalone, user_name: me, current_project: self, updated_at: ... }
 *     prod:  { uri: https://hub.example.com, type: cloud, sw_token: ..., user_name, user_role, current_project }
 *   storage: { root: /home/me/.starwhale }
 *
 * Unknown keys are kept, so a file written by Starwhale survives a round trip through swcli.
 */
export const configVersion = "2.0";
export const localInstance = "local";
export const defaultProject = "self";

// Starwhale may write `key: null` or leave keys out; both read as "not set".
const maybeText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined)
  .optional();

export const instanceConfigSchema = z.looseObject({
  uri: z.string().min(1),
  type: maybeText,
  sw_token: maybeText,
  user_name: maybeText,
  user_role: maybeText,
  current_project: maybeText,
  updated_at: maybeText,
});
export type InstanceConfig = z.infer<typeof instanceConfigSchema>;

export const configFileSchema = z.looseObject({
  version: z.literal(configVersion),
  current_instance: z.string().min(1),
  instances: z
    .record(z.string(), instanceConfigSchema)
    .nullish()
    .transform((instances) => instances ?? {}),
  storage: z.looseObject({ root: maybeText }).nullish(),
  docker: z.looseObject({ builtin_image_repo: maybeText }).nullish(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

export interface CliConfig {
  /** Where the file lives ($SW_CLI_CONFIG or ~/.config/starwhale/config.yaml). */
  readonly path: string;
  /** Root of the standalone store: $SW_LOCAL_STORAGE, else `storage.root`, else ~/.starwhale. */
  readonly storageRoot: string;
  /** The file's content. Change it, then call `saveConfig`. */
  readonly data: ConfigFile;
  /** Things the user should hear about, e.g. that an old config was regenerated. */
  readonly notices: readonly string[];
}

export interface InstanceRef {
  readonly alias: string;
  readonly instance: InstanceConfig;
  /** The standalone instance: files on this machine, no server. */
  readonly local: boolean;
}

export function configPath(env: Env): string {
  return env.SW_CLI_CONFIG ?? join(env.home, ".config", "starwhale", "config.yaml");
}

/** Reads the config, creating or regenerating it as Starwhale does. Broken YAML is one clear error. */
export function loadConfig(env: Env, now = new Date()): CliConfig {
  const path = configPath(env);
  const text = readConfigText(path);
  const fresh = (notices: string[]): CliConfig => {
    const config = makeConfig(path, env, defaultConfigFile(env, now), notices);
    saveConfig(config);
    return config;
  };
  if (text === undefined || text.trim() === "") return fresh([]);

  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n", 1)[0] ?? "") : String(error);
    throw invalidInput(
      `config file ${path} is not valid YAML: ${reason}`,
      "fix the file, or move it away and swcli writes a fresh one",
    );
  }
  if (parsed === null || parsed === undefined) return fresh([]);
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalidInput(`config file ${path} must be a YAML mapping`, "fix the file, or move it away");
  }

  const version = (parsed as Record<string, unknown>).version;
  if (version !== configVersion && version !== 2) {
    const backup = backUp(path);
    return fresh([
      `${path} has config version ${JSON.stringify(version ?? null)}, and swcli reads version "${configVersion}"; ` +
        `it was regenerated with defaults, and the old file is kept as ${backup}`,
    ]);
  }

  const checked = configFileSchema.safeParse({ ...parsed, version: configVersion });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.join(".") || "(top level)";
    throw invalidInput(
      `config file ${path}: ${where}: ${issue?.message ?? "invalid"}`,
      "fix the file, or move it away",
    );
  }
  const data = checked.data;
  // Every config has the standalone instance; restore it in memory if someone deleted it.
  data.instances[localInstance] ??= defaultConfigFile(env, now).instances[localInstance]!;
  return makeConfig(path, env, data, []);
}

export function defaultConfigFile(env: Env, now = new Date()): ConfigFile {
  return {
    version: configVersion,
    current_instance: localInstance,
    instances: {
      [localInstance]: {
        uri: localInstance,
        type: "standalone",
        user_name: currentUserName(),
        current_project: defaultProject,
        updated_at: starwhaleTimestamp(now),
      },
    },
    // Starwhale reads storage.root unconditionally, so the key is always written (never $SW_LOCAL_STORAGE).
    storage: { root: join(env.home, ".starwhale") },
  };
}

/** Writes the config atomically (temporary file, then rename) with mode 0600: it holds tokens. */
export function saveConfig(config: CliConfig): void {
  const { version, current_instance, instances, storage, ...rest } = config.data;
  const text = stringifyYaml({ version, current_instance, instances, storage, ...rest });
  try {
    mkdirSync(dirname(config.path), { recursive: true, mode: 0o700 });
    writeFileAtomic(config.path, text, 0o600);
  } catch (error) {
    throw invalidInput(`can't write config file ${config.path}: ${describeFsError(error)}`);
  }
}

/** The instance swcli talks to by default (`current_instance`). */
export function currentInstance(config: CliConfig): InstanceRef {
  const alias = config.data.current_instance;
  const instance = config.data.instances[alias];
  if (!instance) {
    throw notFound(
      `the current instance "${alias}" is not in ${config.path}`,
      `select one with: swcli instance select ${localInstance}`,
    );
  }
  return { alias, instance, local: isLocal(instance) };
}

/** An instance by alias, or by its URL when exactly one alias has it. An empty ref means the current one. */
export function findInstance(config: CliConfig, ref: string | undefined): InstanceRef {
  if (!ref) return currentInstance(config);
  const byAlias = config.data.instances[ref];
  if (byAlias) return { alias: ref, instance: byAlias, local: isLocal(byAlias) };
  if (/^(https?:\/\/)?[^/\s]+[.:][^/\s]*\/?$/i.test(ref)) {
    // The same URL rules as Runtime URIs; Starwhale stores URLs given without a scheme as http://.
    const url = /^https?:\/\//i.test(ref) ? ref : `http://${ref}`;
    const { alias } = instanceByUrl(uriContext(config), url, ref);
    return { alias, instance: config.data.instances[alias]!, local: false };
  }
  throw notFound(
    `no instance "${ref}" is logged in`,
    `log in first: swcli instance login <url> --alias ${ref}`,
  );
}

/** What the Runtime URI grammar (`@swhub/shared/uri`) needs to know about the configured instances. */
export function uriContext(config: CliConfig): UriContext {
  const instances: UriContext["instances"] = {};
  for (const [alias, instance] of Object.entries(config.data.instances)) {
    instances[alias] = { uri: instance.uri, currentProject: instance.current_project };
  }
  return { instances, currentInstance: config.data.current_instance };
}

export function isLocal(instance: InstanceConfig): boolean {
  return instance.uri === localInstance;
}

/** Starwhale's timestamp text: `2026-11-27 20:52:04 UTC`, local time with the zone's short name. */
export function starwhaleTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const zone =
    new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value ?? "";
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time} ${zone}`.trim();
}

function makeConfig(path: string, env: Env, data: ConfigFile, notices: string[]): CliConfig {
  const configured = data.storage?.root?.replace(/^~(?=$|\/)/, env.home);
  return {
    path,
    storageRoot: env.SW_LOCAL_STORAGE ?? configured ?? join(env.home, ".starwhale"),
    data,
    notices,
  };
}

function readConfigText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) return undefined;
    throw invalidInput(`can't read config file ${path}: ${describeFsError(error)}`);
  }
}

function backUp(path: string): string {
  let backup = `${path}.bak`;
  for (let n = 1; existsSync(backup); n++) backup = `${path}.bak.${n}`;
  renameSync(path, backup);
  return backup;
}

function writeFileAtomic(path: string, text: string, mode: number): void {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(temporary, text, { mode, flag: "wx" });
    chmodSync(temporary, mode); // the umask may have taken bits away; never leave it wider either
    const fd = openSync(temporary, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "";
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function describeFsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a directory",
    ENOTDIR: "a parent of it is not a directory",
    EEXIST: "a parent of it is not a directory", // what mkdir -p says when a file is in the way
    EROFS: "the file system is read-only",
    ENOSPC: "no space left on the device",
  };
  return (code && reasons[code]) ?? error.message;
}
