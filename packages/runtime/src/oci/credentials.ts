import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { AppError, invalidInput } from "@swhub/shared/errors";
import { z } from "zod";
import { dockerHub } from "./reference";

/**
 * Registry credentials: a user name and password (or personal access token), or an identity token
 * (an OAuth2 refresh token, as `docker login` stores for some registries).
 */
export type Credentials =
  | { username: string; password: string }
  | { identityToken: string; username?: string };

/**
 * Where credentials come from, in order:
 * 1. `SW_REGISTRY_USERNAME` + `SW_REGISTRY_PASSWORD`, for the registry named by `SW_REGISTRY_HOST`
 *    (`host[:port]`), or for every registry when `SW_REGISTRY_HOST` is unset;
 * 2. the Docker config (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`): `credHelpers.<host>`,
 *    then `auths.<host>` (`auth` = base64 "user:password", or `identitytoken`), then `credsStore`.
 * The environment is passed in (the app's env module owns process.env).
 */
export interface CredentialSources {
  env?: Record<string, string | undefined>;
  /** Overrides the Docker config file path. */
  dockerConfigPath?: string;
}

export const registryCredentialEnv = {
  username: "SW_REGISTRY_USERNAME",
  password: "SW_REGISTRY_PASSWORD",
  host: "SW_REGISTRY_HOST",
} as const;

const dockerConfigSchema = z.looseObject({
  auths: z
    .record(
      z.string(),
      z.looseObject({
        auth: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        identitytoken: z.string().optional(),
      }),
    )
    .optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});
type DockerConfig = z.infer<typeof dockerConfigSchema>;

/** Finds credentials for a registry, or undefined for anonymous access. */
export async function loadCredentials(
  registry: string,
  sources: CredentialSources = {},
): Promise<Credentials | undefined> {
  const env = sources.env ?? {};
  const username = env[registryCredentialEnv.username];
  const password = env[registryCredentialEnv.password];
  const onlyFor = env[registryCredentialEnv.host];
  if (username && password && (!onlyFor || normaliseRegistryKey(onlyFor) === registry)) {
    return { username, password };
  }

  const path =
    sources.dockerConfigPath ??
    join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), ".docker"), "config.json");
  const config = await readDockerConfig(path);
  if (!config) return undefined;

  const helper = Object.entries(config.credHelpers ?? {}).find(
    ([key]) => normaliseRegistryKey(key) === registry,
  )?.[1];
  if (helper) return runCredentialHelper(helper, registry, env);

  const entry = Object.entries(config.auths ?? {}).find(
    ([key]) => normaliseRegistryKey(key) === registry,
  )?.[1];
  if (entry?.identitytoken) {
    return { identityToken: entry.identitytoken, ...(entry.username ? { username: entry.username } : {}) };
  }
  if (entry?.auth) return decodeBasicAuth(entry.auth, path, registry);
  if (entry?.username && entry.password) return { username: entry.username, password: entry.password };

  if (config.credsStore) return runCredentialHelper(config.credsStore, registry, env);
  return undefined;
}

async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw invalidInput(`cannot read the Docker config ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidInput(
      `the Docker config ${path} is not valid JSON`,
      "fix it or log in again with docker login",
    );
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) throw invalidInput(`the Docker config ${path} has an unexpected shape`);
  return parsed.data;
}

function decodeBasicAuth(auth: string, path: string, registry: string): Credentials {
  const text = Buffer.from(auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) throw invalidInput(`the Docker config ${path} has a malformed "auth" for ${registry}`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** `https://index.docker.io/v1/`, `http://host:5000/v2`, `host:5000` → the registry name we compare with. */
export function normaliseRegistryKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  if (host === "index.docker.io" || host === "registry-1.docker.io" || host === "registry.hub.docker.com") {
    return dockerHub;
  }
  return host;
}

/** The Docker credential-helper protocol: `docker-credential-<name> get`, server URL on stdin, JSON out. */
async function runCredentialHelper(
  name: string,
  registry: string,
  env: Record<string, string | undefined>,
): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const server = registry === dockerHub ? "https://index.docker.io/v1/" : registry;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(program, ["get"], {
        env: env as NodeJS.ProcessEnv,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d;
      });
      child.stderr.on("data", (d: Buffer) => {
        err += d;
      });
      child.on("error", reject);
      child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
      child.stdin.end(server);
    },
  ).catch((error: NodeJS.ErrnoException) => {
    throw new AppError(
      "invalid_input",
      `credential helper ${program} could not run: ${error.code ?? error.message}`,
      "install it or remove it from ~/.docker/config.json",
    );
  });
  // Helpers say "credentials not found" on a miss: that is anonymous access, not an error.
  if (code !== 0) {
    if (/not found/i.test(stdout + stderr)) return undefined;
    throw invalidInput(`credential helper ${program} failed: ${(stderr || stdout).trim().split("\n")[0]}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    answer = undefined;
  }
  const parsed = z.object({ Username: z.string(), Secret: z.string() }).safeParse(answer);
  if (!parsed.success) throw invalidInput(`credential helper ${program} printed an unexpected answer`);
  const { Username, Secret } = parsed.data;
  return Username === "<token>" ? { identityToken: Secret } : { username: Username, password: Secret };
}
