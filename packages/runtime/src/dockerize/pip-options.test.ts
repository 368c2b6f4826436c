import { runtimeManifestSchema } from "@swhub/shared/schemas";
import { describe, expect, it } from "vitest";
import { imagePypiEnv, indexArgsFor } from "./pip-options";

// configs.pip as Starwhale writes it: empty lists hold one empty string.
const manifest = (pip: Record<string, unknown>) =>
  runtimeManifestSchema.parse({ version: "v", environment: {}, configs: { pip } });

describe("pip index options (spec §4.1)", () => {
  it("uses the runtime's configs.pip, skipping Starwhale's empty entries", () => {
    const m = manifest({ index_url: "https://a/simple", extra_index_url: [""], trusted_host: ["a"] });
    expect(indexArgsFor(m)).toEqual([
      "--index-url",
      "https://a/simple",
      "--trusted-host",
      "a",
      "--timeout=90",
      "--retries=10",
    ]);
  });

  it("lets SW_PYPI_INDEX_URL win, keeping the runtime's index as an extra one; SW_PYPI lists go first", () => {
    const m = manifest({
      index_url: "https://a/simple",
      extra_index_url: "https://b/simple",
      trusted_host: "a b",
    });
    const args = indexArgsFor(m, {
      indexUrl: "https://mirror/simple",
      extraIndexUrl: "https://c/simple",
      trustedHost: "mirror",
      timeout: 5,
      retries: 1,
    });
    expect(args).toEqual([
      "--index-url",
      "https://mirror/simple",
      "--extra-index-url",
      "https://c/simple",
      "--extra-index-url",
      "https://b/simple",
      "--extra-index-url",
      "https://a/simple",
      "--trusted-host",
      "mirror",
      "--trusted-host",
      "a",
      "--trusted-host",
      "b",
      "--timeout=5",
      "--retries=1",
    ]);
  });

  it("writes the build machine's SW_PYPI_* into the image over the runtime's, lists space-joined (spec §6.2)", () => {
    const m = manifest({
      index_url: "https://a/simple",
      extra_index_url: ["https://b/simple", ""],
      trusted_host: [""],
    });
    expect(imagePypiEnv(m)).toEqual({
      SW_PYPI_INDEX_URL: "https://a/simple",
      SW_PYPI_EXTRA_INDEX_URL: "https://b/simple",
      SW_PYPI_TRUSTED_HOST: "",
    });
    expect(imagePypiEnv(m, { indexUrl: "https://m/simple", trustedHost: "m n" })).toEqual({
      SW_PYPI_INDEX_URL: "https://m/simple",
      SW_PYPI_EXTRA_INDEX_URL: "https://b/simple",
      SW_PYPI_TRUSTED_HOST: "m n",
    });
  });
});
