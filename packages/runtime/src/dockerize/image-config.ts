import type { ImageSettings } from "../oci/image";
import type { ImageConfig } from "../oci/types";
import type { BasePython } from "./base-python";
import { imageEnvPrefix, imageWorkdir } from "./plan";

/*
 * The config a dockerized runtime gets (spec §6.2): Starwhale's labels and `SW_*` variables, the runtime's env
 * active through PATH and VIRTUAL_ENV, the work dir, and an entrypoint that sources the env's activate script
 * before running the command (the base's own entrypoint, if any, then its command).
 */

export interface RuntimeImageInput {
  name: string;
  version: string;
  python: BasePython;
  starwhaleVersion: string;
  /** `SW_PYPI_*` as the image should have them. */
  pypi: Record<string, string>;
  base: { name: string; digest: string };
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const activateThenRun = `. "$VIRTUAL_ENV/bin/activate" && exec "$@"`;

export const runtimeLabels = (name: string, version: string): Record<string, string> => ({
  starwhale_runtime_dockerize: "1",
  starwhale_runtime_name: name,
  starwhale_runtime_version: version,
  "org.opencontainers.image.title": name,
  "org.opencontainers.image.version": version,
});

export function runtimeImageSettings(baseConfig: ImageConfig, input: RuntimeImageInput): ImageSettings {
  const inner = baseConfig.config ?? {};
  const basePath = (inner.Env ?? []).find((line) => line.startsWith("PATH="))?.slice(5) || defaultPath;
  const env: Record<string, string> = {
    PATH: `${imageEnvPrefix}/bin:${basePath}`,
    VIRTUAL_ENV: imageEnvPrefix,
    SW_USER_RUNTIME_WORKDIR: imageWorkdir,
    ...input.pypi,
    SW_PIP_CACHE_DIR: "/root/.cache/pip",
    SW_RUNTIME_PYTHON_VERSION: input.python.version,
    SW_VERSION: input.starwhaleVersion,
    SW_USER_RUNTIME_NAME: input.name,
    SW_USER_RUNTIME_VERSION: input.version,
    SW_USER_RUNTIME_RESTORED: "1",
    SW_USER_RUNTIME_FROM_DOCKERIZE: "1",
  };
  const settings: ImageSettings = {
    env,
    labels: {
      ...runtimeLabels(input.name, input.version),
      "org.opencontainers.image.base.name": input.base.name,
      "org.opencontainers.image.base.digest": input.base.digest,
    },
    workingDir: imageWorkdir,
  };
  if (input.python.shell) {
    const baseEntrypoint = inner.Entrypoint ?? [];
    const baseCmd = inner.Cmd ?? [];
    settings.entrypoint = ["/bin/sh", "-c", activateThenRun, "swhub-runtime", ...baseEntrypoint];
    // An entrypoint with nothing to run exits at once; give it the base's command, or a shell.
    settings.cmd = baseCmd.length > 0 || baseEntrypoint.length > 0 ? baseCmd : ["/bin/sh"];
  }
  return settings;
}
