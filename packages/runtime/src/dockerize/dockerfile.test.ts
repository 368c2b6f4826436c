import { describe, expect, it } from "vitest";
import { type DockerfileInput, renderDockerfile } from "./dockerfile";

const input: DockerfileInput = {
  baseImage: "docker-registry.starwhale.cn/star-whale/base:0.3.4",
  name: "mnist",
  version: "ge3tkylgha2tenrtmftdgyjzni3dayq",
  mode: "venv",
  localPackagedEnv: false,
  python: "3.11",
  starwhaleVersion: "0.6.15",
  pypi: {
    SW_PYPI_INDEX_URL: "https://a/simple",
    SW_PYPI_EXTRA_INDEX_URL: "https://b/simple https://c/simple",
    SW_PYPI_TRUSTED_HOST: "",
  },
};

// What spec §6.2 says the Dockerfile does, instruction by instruction, in Starwhale's order.
describe("the Dockerfile Starwhale would build with", () => {
  it("starts from the base as a build arg, copies the snapshot, restores, and labels the image", () => {
    const lines = renderDockerfile(input).split("\n").filter(Boolean);
    const order = [
      "ARG BASE_IMAGE=docker-registry.starwhale.cn/star-whale/base:0.3.4",
      `FROM \${BASE_IMAGE}`,
      "ARG TARGETARCH",
      "WORKDIR /opt/starwhale.user/runtime",
      "LABEL starwhale_runtime_dockerize=1",
      "LABEL starwhale_runtime_name=mnist",
      "LABEL starwhale_runtime_version=ge3tkylgha2tenrtmftdgyjzni3dayq",
      "ENV SW_USER_RUNTIME_WORKDIR=/opt/starwhale.user/runtime",
      "COPY . /opt/starwhale.user/runtime",
      'ENV SW_PYPI_INDEX_URL "https://a/simple"',
      'ENV SW_PYPI_EXTRA_INDEX_URL "https://b/simple https://c/simple"',
      'ENV SW_PYPI_TRUSTED_HOST ""',
      "ENV SW_PIP_CACHE_DIR=/root/.cache/pip",
      "ENV SW_RUNTIME_PYTHON_VERSION=3.11",
      "ENV SW_VERSION=0.6.15",
      "ENV SW_USER_RUNTIME_NAME=mnist",
      "ENV SW_USER_RUNTIME_VERSION=ge3tkylgha2tenrtmftdgyjzni3dayq",
      "ENV SW_USER_RUNTIME_RESTORED=1",
      "ENV SW_USER_RUNTIME_FROM_DOCKERIZE=1",
    ];
    const positions = order.map((line) => lines.indexOf(line));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const restore = lines.findIndex((l) =>
      l.startsWith("RUN swcli -vvv runtime restore /opt/starwhale.user/runtime"),
    );
    expect(restore).toBeGreaterThan(lines.indexOf("ENV SW_VERSION=0.6.15"));
    expect(restore).toBeLessThan(lines.indexOf("ENV SW_USER_RUNTIME_NAME=mnist"));
    expect(lines.at(-1)).toBe(
      `RUN echo 'source \${SW_USER_RUNTIME_WORKDIR}/export/venv/bin/activate' >> /root/.bashrc`,
    );
  });

  it("activates a conda runtime through conda in bash, and a packed conda env like a venv", () => {
    const conda = renderDockerfile({ ...input, mode: "conda" });
    expect(conda).toContain("RUN /opt/miniconda3/bin/conda init bash\n");
    expect(conda).toContain(
      `RUN echo 'conda activate \${SW_USER_RUNTIME_WORKDIR}/export/conda' >> /root/.bashrc\n`,
    );
    const packed = renderDockerfile({ ...input, mode: "conda", localPackagedEnv: true });
    expect(packed).toContain(
      `RUN echo 'source \${SW_USER_RUNTIME_WORKDIR}/export/conda/bin/activate' >> /root/.bashrc\n`,
    );
    expect(packed).not.toContain("conda init");
  });
});
