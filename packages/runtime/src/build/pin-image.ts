// `--docker IMAGE`, pinned to the digest its registry reports when the registry answers. Loaded only for
// --docker builds: the registry client brings in undici, which costs every other build its start-up time.
import { loadCredentials } from "../oci/credentials";
import { formatReference, parseReference } from "../oci/reference";
import { createRegistryClient } from "../oci/registry";
import type { EnvVars } from "./settings";

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
  const signal = AbortSignal.timeout(timeoutMs);
  const client = createRegistryClient({
    registry: ref.registry,
    insecure: loopback.test(ref.registry),
    credentials: await loadCredentials(ref.registry, { env }).catch(() => undefined),
    signal,
  });
  try {
    const descriptor = await client.headManifest(ref.repository, ref.tag ?? "latest");
    if (!descriptor) return { pinned: false, image, reason: `${formatReference(ref)} was not found` };
    return { pinned: true, image: `${image}@${descriptor.digest}`, digest: descriptor.digest };
  } catch (error) {
    return {
      pinned: false,
      image,
      reason: signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (error as Error).message,
    };
  } finally {
    await client.close().catch(() => {});
  }
}
