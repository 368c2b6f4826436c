import { invalidInput } from "@swhub/shared/errors";
import type { RuntimeManifest } from "@swhub/shared/schemas";
import { builtinRunImage, DEFAULT_IMAGE_REPO } from "../build/images";
import { formatReference, parseReference } from "../oci/reference";
import { formatPlatform, type Platform } from "../oci/types";

/*
 * The decisions dockerize makes before touching a registry: which tags, which platforms, which base image
 * (spec §6.1), which Python. Pure functions of the manifest and the settings, so the dry run and the build agree.
 */

/** Where the runtime lives in the image, as in Starwhale's Dockerfile. */
export const imageWorkdir = "/opt/starwhale.user/runtime";
/** Where the restored environment lives in the image. */
export const imageEnvPrefix = `${imageWorkdir}/export/venv`;

export const supportedArchitectures = ["amd64", "arm64"] as const;

/**
 * The image references to tag: the ones asked for, then `<configs.docker.image repository>:<version>`.
 * Each is normalised (`app:1` → `docker.io/library/app:1`, no tag → `:latest`); none at all is an error.
 */
export function imageTags(
  requested: readonly string[],
  manifest: RuntimeManifest,
  version: string,
  options: { configuredImage?: boolean } = {},
): string[] {
  const refs: string[] = [];
  for (const text of requested) refs.push(normaliseTag(text));
  const configured = options.configuredImage === false ? undefined : manifest.configs.docker?.image?.trim();
  if (configured) {
    const { registry, repository } = parseReference(configured);
    refs.push(formatReference({ registry, repository, tag: version }));
  }
  if (refs.length === 0) {
    throw invalidInput(
      "no image tag: the image needs at least one name to be tagged with",
      "pass -t/--tag REGISTRY/NAME:TAG, or set configs.docker.image in runtime.yaml",
    );
  }
  return [...new Set(refs)];
}

function normaliseTag(text: string): string {
  const ref = parseReference(text);
  if (ref.digest) {
    throw invalidInput(`"${text}" names a digest; an image can only be tagged with a name:tag`);
  }
  return formatReference({ ...ref, tag: ref.tag ?? "latest" });
}

/** `amd64`, `linux/arm64` → the platform; anything but linux on amd64 or arm64 is an error naming the choices. */
export function parseTargetPlatforms(requested: readonly string[]): Platform[] {
  const wanted = requested.length > 0 ? requested : ["amd64"];
  const platforms: Platform[] = [];
  for (const text of wanted) {
    const parts = text.trim().toLowerCase().split("/");
    const [os, architecture] = parts.length === 1 ? ["linux", parts[0]!] : [parts[0]!, parts[1] ?? ""];
    const arch = architecture === "x86_64" ? "amd64" : architecture === "aarch64" ? "arm64" : architecture;
    if (os !== "linux" || !(supportedArchitectures as readonly string[]).includes(arch)) {
      throw invalidInput(`unknown platform "${text}"`, "expected amd64 or arm64 (linux/amd64, linux/arm64)");
    }
    if (!platforms.some((p) => p.architecture === arch)) platforms.push({ os: "linux", architecture: arch });
  }
  return platforms;
}

/** The runtime's `environment.arch`, normalised; empty means "not said". */
export function runtimeArchs(manifest: RuntimeManifest): string[] {
  const raw = manifest.environment.arch;
  return (typeof raw === "string" ? [raw] : raw).map((a) => a.trim().toLowerCase()).filter(Boolean);
}

/** A runtime built for one architecture cannot be dockerized for another (restore refuses it too, spec §4.1). */
export function checkRuntimeArch(manifest: RuntimeManifest, name: string, platform: Platform): void {
  const archs = runtimeArchs(manifest);
  if (archs.length === 0 || archs.includes("noarch") || archs.includes(platform.architecture)) return;
  throw invalidInput(
    `runtime ${name} is built for ${archs.join(", ")} and cannot run on ${formatPlatform(platform)}`,
    `dockerize it with --platform ${archs[0]}`,
  );
}

/** Whether the environment must be made of binary wheels for exactly the target platform. */
export function isNoarch(manifest: RuntimeManifest): boolean {
  const archs = runtimeArchs(manifest);
  return archs.length === 0 || archs.includes("noarch");
}

/** Python X.Y of the runtime: `environment.python`, else the locked shell's version; undefined if neither says. */
export function runtimePython(manifest: RuntimeManifest): string | undefined {
  const candidates = [manifest.environment.python, manifest.environment.lock?.shell.python_version];
  for (const text of candidates) {
    const match = /^(\d+)\.(\d+)/.exec(String(text ?? "").trim());
    if (match) return `${match[1]}.${match[2]}`;
  }
  return undefined;
}

export interface BaseImageSettings {
  /** Replaces every other choice (`SW_DOCKERIZE_BASE_IMAGE`). */
  override?: string;
  /** `SW_IMAGE_REPO`: the repository of the builtin images. */
  imageRepo?: string;
  /** The client config's `docker.builtin_image_repo`. */
  configRepo?: string;
  /** `SW_CUSTOM_BASE_IMAGE_VERSION`, for builtin images that the manifest does not name. */
  baseImageVersion?: string;
}

export interface BaseImageChoice {
  reference: string;
  /** Why this image: the override setting, the runtime's own image, or Starwhale's builtin choice. */
  source: "setting" | "runtime" | "builtin";
}

/**
 * The base image (spec §6.1): the override setting; else the runtime's custom image; else the builtin image
 * the manifest records (or derives from CUDA and cuDNN), its repository replaced by `SW_IMAGE_REPO`, then the
 * config's `docker.builtin_image_repo`. Manifests without a `docker` section use `base_image`.
 */
export function chooseBaseImage(
  manifest: RuntimeManifest,
  settings: BaseImageSettings = {},
): BaseImageChoice {
  if (settings.override?.trim()) return { reference: settings.override.trim(), source: "setting" };
  const environment = manifest.environment as {
    docker?: { image?: string };
    cuda?: unknown;
    cudnn?: unknown;
  };
  const custom = manifest.docker?.custom_run_image?.trim() || environment.docker?.image?.trim();
  if (custom) return { reference: custom, source: "runtime" };
  const repoOverride = settings.imageRepo?.trim() || settings.configRepo?.trim();
  const builtin = manifest.docker?.builtin_run_image;
  if (builtin) {
    const repo = repoOverride || builtin.repo || DEFAULT_IMAGE_REPO;
    return { reference: `${repo.replace(/\/+$/, "")}/${builtin.name}:${builtin.tag}`, source: "builtin" };
  }
  if (!manifest.docker && manifest.base_image?.trim() && !repoOverride) {
    return { reference: manifest.base_image.trim(), source: "builtin" };
  }
  const derived = builtinRunImage({
    cuda: String(environment.cuda ?? "").trim(),
    cudnn: String(environment.cudnn ?? "").trim(),
    ...(repoOverride ? { repo: repoOverride } : {}),
    ...(settings.baseImageVersion?.trim() ? { baseVersion: settings.baseImageVersion.trim() } : {}),
  });
  return { reference: derived.fullname, source: "builtin" };
}
