import { describe, expect, it } from "vitest";
import { pipInstallArgs, resolvePipIndex } from "./pip-options";

// Expected values follow Starwhale's `_do_pip_install_req` (spec §4.1): the SW_PYPI_* variables win, the runtime's
// own index then becomes an extra one, and its `[""]` lists mean "nothing".
describe("pip index options", () => {
  const config = {
    index_url: "https://config.example/simple",
    extra_index_url: ["https://extra1.example/simple", ""],
    trusted_host: [""],
  };

  it("uses the runtime's configs.pip when no SW_PYPI_* is set", () => {
    expect(resolvePipIndex(config)).toEqual({
      indexUrl: "https://config.example/simple",
      extraIndexUrls: ["https://extra1.example/simple"],
      trustedHosts: [],
      timeout: 90,
      retries: 10,
    });
  });

  it("lets SW_PYPI_INDEX_URL win and keeps the runtime's index as an extra one, after the others", () => {
    const index = resolvePipIndex(config, {
      indexUrl: "https://mirror.example/simple",
      extraIndexUrl: "https://env-extra1.example/simple https://env-extra2.example/simple",
      trustedHost: "mirror.example",
    });
    expect(index.indexUrl).toBe("https://mirror.example/simple");
    expect(index.extraIndexUrls).toEqual([
      "https://env-extra1.example/simple",
      "https://env-extra2.example/simple",
      "https://extra1.example/simple",
      "https://config.example/simple",
    ]);
    expect(index.trustedHosts).toEqual(["mirror.example"]);
  });

  it("reads Starwhale's string forms and drops duplicates", () => {
    const index = resolvePipIndex(
      {
        index_url: "",
        extra_index_url: "https://a.example https://a.example",
        trusted_host: "a.example b.example",
      },
      { trustedHost: "a.example", timeout: 5, retries: 0 },
    );
    expect(index).toEqual({
      extraIndexUrls: ["https://a.example"],
      trustedHosts: ["a.example", "b.example"],
      timeout: 5,
      retries: 0,
    });
  });

  it("builds one pip install: one option per index and host, then the targets", () => {
    const index = resolvePipIndex(
      { index_url: "https://i.example/simple", extra_index_url: ["https://x.example", "https://y.example"] },
      { trustedHost: "i.example" },
    );
    expect(
      pipInstallArgs(
        [
          { kind: "requirements-file", path: "/w/dependencies/.starwhale/lock/requirements-sw-lock.txt" },
          { kind: "wheel", path: "/w/wheels/a-1-py3-none-any.whl" },
          { kind: "requirement", spec: "numpy==1.26.4" },
        ],
        index,
      ),
    ).toEqual([
      "install",
      "--exists-action",
      "w",
      "--disable-pip-version-check",
      "--index-url",
      "https://i.example/simple",
      "--extra-index-url",
      "https://x.example",
      "--extra-index-url",
      "https://y.example",
      "--trusted-host",
      "i.example",
      "--timeout=90",
      "--retries=10",
      "-r",
      "/w/dependencies/.starwhale/lock/requirements-sw-lock.txt",
      "/w/wheels/a-1-py3-none-any.whl",
      "numpy==1.26.4",
    ]);
  });

  it("passes no index at all when none is configured, so pip's own settings (PIP_INDEX_URL, pip.conf) apply", () => {
    expect(pipInstallArgs([{ kind: "requirement", spec: "a" }], resolvePipIndex())).toEqual([
      "install",
      "--exists-action",
      "w",
      "--disable-pip-version-check",
      "--timeout=90",
      "--retries=10",
      "a",
    ]);
  });
});
