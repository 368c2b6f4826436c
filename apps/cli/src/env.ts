import { homedir } from "node:os";
import { invalidInput } from "@swhub/shared/errors";
import { z } from "zod";

/**
 * The only reader of the environment in swcli. Handlers get `ctx.env`; the engine is handed values, never
 * `process.env`. The names are Starwhale's, so existing set-ups keep working.
 */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === "" ? undefined : value));
const optionalCount = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === "") return undefined;
    if (/^\d+$/.test(value)) return Number(value);
    ctx.addIssue({ code: "custom", message: `expected a whole number, got "${value}"` });
    return z.NEVER;
  });
const optionalAmount = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === "") return undefined;
    if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
    ctx.addIssue({ code: "custom", message: `expected a number, got "${value}"` });
    return z.NEVER;
  });
const switchOn = z
  .string()
  .optional()
  .transform((value) => value !== undefined && !["", "0", "false", "no"].includes(value.toLowerCase()));

const envSchema = z.object({
  /** Path of the client config file; default `~/.config/starwhale/config.yaml`. */
  SW_CLI_CONFIG: optionalText,
  /** Root of the standalone store; wins over `storage.root` in the config. */
  SW_LOCAL_STORAGE: optionalText,
  /** pip options that override the runtime's `configs.pip` at restore and in dockerized images. */
  SW_PYPI_INDEX_URL: optionalText,
  SW_PYPI_EXTRA_INDEX_URL: optionalText,
  SW_PYPI_TRUSTED_HOST: optionalText,
  SW_PYPI_TIMEOUT: optionalCount,
  SW_PYPI_RETRIES: optionalCount,
  /** Registry/repository of the builtin base images, and their version. */
  SW_IMAGE_REPO: optionalText,
  SW_CUSTOM_BASE_IMAGE_VERSION: optionalText,
  /** Registry credentials for dockerize (else ~/.docker/config.json); SW_REGISTRY_HOST limits them to one registry. */
  SW_REGISTRY_USERNAME: optionalText,
  SW_REGISTRY_PASSWORD: optionalText,
  SW_REGISTRY_HOST: optionalText,
  /** Where the Docker client config lives (default ~/.docker). */
  DOCKER_CONFIG: optionalText,
  /** Registries (`host:port`, comma or space separated) that dockerize may reach over plain http. */
  SW_INSECURE_REGISTRIES: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(/[\s,]+/).filter(Boolean)),
  /** dockerize: a base image that replaces every other choice, and its interpreter when it cannot be found. */
  SW_DOCKERIZE_BASE_IMAGE: optionalText,
  SW_DOCKERIZE_BASE_PYTHON: optionalText,
  /** The most dockerize's layer cache keeps, in GiB (default 20); least recently used blobs go first. */
  SW_DOCKERIZE_CACHE_MAX_GB: optionalAmount,
  /** Proxies handed to the buildx builder container. */
  HTTP_PROXY: optionalText,
  HTTPS_PROXY: optionalText,
  http_proxy: optionalText,
  https_proxy: optionalText,
  /** Set inside runtime containers; changes where native files go and lets `commands` run. */
  SW_CONTAINER: switchOn,
  SW_RUNTIME_FORCE_RUN_COMMAND: switchOn,
  /** Starwhale's: the version id a build uses instead of a random one (reproducible test builds). */
  SW_BUILD_BUNDLE_FIXED_VERSION_FOR_TEST: optionalText,
  /** The reproducible-builds convention: bundle mtimes and `created_at` come from it (seconds since 1970). */
  SOURCE_DATE_EPOCH: optionalCount,
  /** The environment `build --shell` locks. */
  VIRTUAL_ENV: optionalText,
  CONDA_DEFAULT_ENV: optionalText,
  CONDA_PREFIX: optionalText,
  CONDA_EXE: optionalText,
  /** The user's shell, for `activate`, and where zsh reads its start-up files. */
  SHELL: optionalText,
  ZDOTDIR: optionalText,
  /** Where pyenv keeps Pythons: restore finds installed versions there that no shim selects. */
  PYENV_ROOT: optionalText,
});

export type Env = z.infer<typeof envSchema> & {
  /** The user's home directory (from the OS, which honours HOME). */
  home: string;
  /** The whole environment, for the processes swcli starts (python, pip, conda): PATH, PIP_*, and the rest. */
  inherited: Readonly<Record<string, string | undefined>>;
};

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join(".") ?? "?";
    throw invalidInput(`environment variable ${name}: ${issue?.message ?? "invalid"}`);
  }
  return { ...parsed.data, home: source.HOME || homedir(), inherited: { ...source } };
}
