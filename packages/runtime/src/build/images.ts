// Images in the manifest: the builtin run image Starwhale records (spec §6.1), and `--docker IMAGE`, pinned to
// the digest its registry reports when the registry answers.
import { loadCredentials } from "../oci/credentials";
import { formatReference, parseReference } from "../oci/reference";
import { createRegistryClient } from "../oci/registry";
import type { EnvVars } from "./settings";

export const DEFAULT_IMAGE_REPO = "docker-registry.starwhale.cn/star-whale";
export const DEFAULT_BASE_IMAGE_VERSION = "0.3.4";

export interface BuiltinImage {
  repo: string;
  name: string;
  tag: string;
  fullname: string;
}

/** `…/base:0.3.4`, or with CUDA `…/cuda:11.4-cudnn8-base0.3.4`. */
export function builtinRunImage(options: {
  cuda?: string;
  cudnn?: string;
  repo?: string;
  baseVersion?: string;
}): BuiltinImage {
  const repo = (options.repo || DEFAULT_IMAGE_REPO).replace(/\/+$/, "");
  const base = options.baseVersion || DEFAULT_BASE_IMAGE_VERSION;
  const [name, tag] = options.cuda
    ? ["cuda", `${options.cuda}${options.cudnn ? `-cudnn${options.cudnn}` : ""}-base${base}`]
    : ["base", base];
  return { repo, name, tag, fullname: `${repo}/${name}:${tag}` };
}

/** The runtime name for `--docker IMAGE`: the last path segment before the tag (`pytorch/pytorch:1.9` → pytorch). */
export function dockerRuntimeName(image: string): string {
  const withoutDigest = image.split("@")[0]!;
  const last = withoutDigest.split("/").at(-1) ?? withoutDigest;
  return last.split(":")[0]!;
}

const loopback = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$/;

export type PinnedImage =
  | { pinned: true; image: string; digest: string }
  | { pinned: false; image: string; reason: string };

/**
 * `repo:tag` → `repo:tag@sha256:…` as the registry reports it now, so the runtime names exactly one image. An
 * image already pinned by digest is kept. When the registry does not answer in time, the image is kept as given
 * and `reason` says why. Loopback registries are spoken to over plain http, as Docker does.
 */
export async function pinImage(image: string, env: EnvVars, timeoutMs = 8_000): Promise<PinnedImage> {
  const ref = parseReference(image);
  if (ref.digest) return { pinned: true, image, digest: ref.digest };
  const client = createRegistryClient({
    registry: ref.registry,
    insecure: loopback.test(ref.registry),
    credentials: await loadCredentials(ref.registry, { env }).catch(() => undefined),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const descriptor = await Promise.race([
      client.headManifest(ref.repository, ref.tag ?? "latest"),
      timeout,
    ]);
    if (!descriptor) return { pinned: false, image, reason: `${formatReference(ref)} was not found` };
    return { pinned: true, image: `${image}@${descriptor.digest}`, digest: descriptor.digest };
  } catch (error) {
    return { pinned: false, image, reason: (error as Error).message };
  } finally {
    clearTimeout(timer);
    // Closing waits for requests in flight; a registry that never answered must not hold the build.
    void client.close().catch(() => {});
  }
}
