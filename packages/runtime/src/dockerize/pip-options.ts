import type { RuntimeManifest } from "@swhub/shared/schemas";
import type { PypiSettings } from "../build/settings";

/*
 * pip's index options for installing a runtime's packages, and the `SW_PYPI_*` values written into the image.
 * Kept in one place so it can give way to the restore engine's builder (`restore/pip-options.ts`) once that exists:
 * a manifest's `configs.pip` lists may be strings or lists, and Starwhale writes `[""]` for empty ones.
 */

export type { PypiSettings };

function list(value: string | string[] | undefined): string[] {
  const items = typeof value === "string" ? value.split(/\s+/) : (value ?? []);
  return items.map((s) => s.trim()).filter(Boolean);
}

/**
 * Spec §4.1: `SW_PYPI_INDEX_URL` wins over `configs.pip.index_url`, which then becomes an extra index;
 * `SW_PYPI_EXTRA_INDEX_URL` and `SW_PYPI_TRUSTED_HOST` come before the runtime's own lists.
 */
export function pipIndexArgs(manifest: RuntimeManifest, pypi: PypiSettings = {}): string[] {
  const pip = manifest.configs.pip;
  const configIndex = pip?.index_url?.trim() ?? "";
  const index = pypi.indexUrl?.trim() || configIndex;
  const extras = [...list(pypi.extraIndexUrl), ...list(pip?.extra_index_url)];
  if (pypi.indexUrl?.trim() && configIndex && configIndex !== index) extras.unshift(configIndex);
  const hosts = [...list(pypi.trustedHost), ...list(pip?.trusted_host)];
  const args: string[] = [];
  if (index) args.push("--index-url", index);
  for (const url of new Set(extras)) args.push("--extra-index-url", url);
  for (const host of new Set(hosts)) args.push("--trusted-host", host);
  args.push(`--timeout=${pypi.timeout ?? 90}`, `--retries=${pypi.retries ?? 10}`);
  return args;
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
