import type { RuntimeManifest } from "@swhub/shared/schemas";
import { type PypiOverrides, pipIndexArgs, resolvePipIndex } from "../restore/pip-options";

/*
 * pip's index options come from restore's builder (`restore/pip-options.ts`), so an image is installed from the
 * indexes a restore would use. What the image itself says (`SW_PYPI_*`) follows Starwhale's Dockerfile instead.
 */

export type PypiSettings = PypiOverrides;

/** `--index-url …`, `--extra-index-url …`, `--trusted-host …`, `--timeout=…`, `--retries=…`, as restore passes them. */
export function indexArgsFor(manifest: RuntimeManifest, pypi: PypiSettings = {}): string[] {
  return pipIndexArgs(resolvePipIndex(manifest.configs.pip, pypi));
}

function list(value: string | string[] | undefined): string[] {
  const items = typeof value === "string" ? value.split(/\s+/) : (value ?? []);
  return items.map((s) => s.trim()).filter(Boolean);
}

/** The image's `SW_PYPI_*` variables (spec §6.2): the build machine's values win, lists space-joined. */
export function imagePypiEnv(manifest: RuntimeManifest, pypi: PypiSettings = {}): Record<string, string> {
  const pip = manifest.configs.pip;
  return {
    SW_PYPI_INDEX_URL: pypi.indexUrl?.trim() || pip?.index_url?.trim() || "",
    SW_PYPI_EXTRA_INDEX_URL: list(pypi.extraIndexUrl ?? pip?.extra_index_url).join(" "),
    SW_PYPI_TRUSTED_HOST: list(pypi.trustedHost ?? pip?.trusted_host).join(" "),
  };
}
