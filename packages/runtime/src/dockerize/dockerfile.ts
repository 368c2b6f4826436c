import { imageWorkdir } from "./plan";

/*
 * The Dockerfile Starwhale renders for `docker buildx` (spec §6.2), written to `<snapshot>/export/docker/Dockerfile`
 * with the snapshot as build context. The native builder makes the same image without running it: this file is
 * what `--dry-run` shows and what `--builder buildx` builds.
 */

export interface DockerfileInput {
  baseImage: string;
  name: string;
  version: string;
  mode: "venv" | "conda";
  localPackagedEnv: boolean;
  python: string;
  starwhaleVersion: string;
  /** `SW_PYPI_INDEX_URL`, `SW_PYPI_EXTRA_INDEX_URL`, `SW_PYPI_TRUSTED_HOST`. */
  pypi: Record<string, string>;
}

/** What Starwhale's `.dockerignore` in the snapshot keeps out of the build context. */
export const dockerIgnore = ["export/venv", "export/conda", ".git"];

export function renderDockerfile(input: DockerfileInput): string {
  const quoted = (value: string) => JSON.stringify(value);
  const activate =
    input.mode === "venv" || input.localPackagedEnv
      ? [`RUN echo 'source \${SW_USER_RUNTIME_WORKDIR}/export/${input.mode}/bin/activate' >> /root/.bashrc`]
      : [
          "RUN /opt/miniconda3/bin/conda init bash",
          `RUN echo 'conda activate \${SW_USER_RUNTIME_WORKDIR}/export/${input.mode}' >> /root/.bashrc`,
        ];
  return [
    `ARG BASE_IMAGE=${input.baseImage}`,
    `FROM \${BASE_IMAGE}`,
    "",
    "ARG TARGETARCH",
    "",
    `WORKDIR ${imageWorkdir}`,
    "",
    "LABEL starwhale_runtime_dockerize=1",
    `LABEL starwhale_runtime_name=${input.name}`,
    `LABEL starwhale_runtime_version=${input.version}`,
    "",
    `ENV SW_USER_RUNTIME_WORKDIR=${imageWorkdir}`,
    `COPY . ${imageWorkdir}`,
    "",
    `ENV SW_PYPI_INDEX_URL ${quoted(input.pypi.SW_PYPI_INDEX_URL ?? "")}`,
    `ENV SW_PYPI_EXTRA_INDEX_URL ${quoted(input.pypi.SW_PYPI_EXTRA_INDEX_URL ?? "")}`,
    `ENV SW_PYPI_TRUSTED_HOST ${quoted(input.pypi.SW_PYPI_TRUSTED_HOST ?? "")}`,
    "ENV SW_PIP_CACHE_DIR=/root/.cache/pip",
    `ENV SW_RUNTIME_PYTHON_VERSION=${input.python}`,
    `ENV SW_VERSION=${input.starwhaleVersion}`,
    "RUN /opt/starwhale.bin/starwhale-entrypoint set_environment || true",
    "",
    `RUN swcli -vvv runtime restore ${imageWorkdir} \\`,
    `    && $(bash ${imageWorkdir}/activate.sw)`,
    "",
    `ENV SW_USER_RUNTIME_NAME=${input.name}`,
    `ENV SW_USER_RUNTIME_VERSION=${input.version}`,
    "ENV SW_USER_RUNTIME_RESTORED=1",
    "ENV SW_USER_RUNTIME_FROM_DOCKERIZE=1",
    "",
    ...activate,
    "",
  ].join("\n");
}
