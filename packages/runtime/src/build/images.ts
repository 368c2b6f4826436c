// Images in the manifest: the builtin run image Starwhale records (spec §6.1), and the name of a `--docker` runtime.

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
