import { invalidInput } from "@swhub/shared/errors";

/**
 * An image reference `[registry/]repository[:tag][@digest]`, normalised the way Docker does it:
 * no registry means Docker Hub (`docker.io`), and a one-part Hub repository lives under `library/`.
 */
export interface ImageReference {
  /** `host[:port]`, e.g. `docker.io`, `ghcr.io`, `localhost:5000`, `127.0.0.1:41234`, `[::1]:5000`. */
  registry: string;
  /** Path components joined by `/`, e.g. `library/python`, `team/app`. */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
}

export const dockerHub = "docker.io";
/** Docker Hub serves the v2 API from another host than its name. */
const dockerHubEndpoint = "registry-1.docker.io";

// The grammar of docker/distribution's reference package, written out.
const componentRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const sha256Re = /^sha256:[0-9a-f]{64}$/;
const hostRe =
  /^(?:\[[0-9a-fA-F:.]+\]|(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)(?::[0-9]+)?$/;
const maxNameLength = 255;

/** Parses and normalises an image reference; throws `invalid_input` naming what is wrong. */
export function parseReference(input: string): ImageReference {
  const text = input.trim();
  const bad = (why: string) =>
    invalidInput(
      `invalid image reference "${input}": ${why}`,
      "expected [registry/]repository[:tag][@sha256:<digest>], e.g. ghcr.io/team/app:1.0",
    );
  if (text === "") throw bad("it is empty");

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw bad(`"${digest}" is not a digest`);
    if (digest.startsWith("sha256:") && !sha256Re.test(digest)) {
      throw bad(`"${digest}" is not a sha256 digest (64 lowercase hex digits)`);
    }
  }

  let registry = dockerHub;
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  // Like Docker: the first part is a registry when it looks like a host (dot, port or localhost).
  if (
    slash >= 0 &&
    (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("["))
  ) {
    if (!hostRe.test(first)) throw bad(`"${first}" is not a valid registry host`);
    registry = first === "index.docker.io" ? dockerHub : first;
    rest = rest.slice(slash + 1);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw bad(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128)`);
  }

  if (rest === "") throw bad("the repository name is missing");
  const components = rest.split("/");
  for (const component of components) {
    if (!componentRe.test(component)) {
      const hint = component.toLowerCase() !== component ? " (repository names must be lowercase)" : "";
      throw bad(`"${component}" is not a valid repository path component${hint}`);
    }
  }
  let repository = rest;
  if (registry === dockerHub && components.length === 1) repository = `library/${repository}`;
  if (`${registry}/${repository}`.length > maxNameLength) {
    throw bad(`the name is longer than ${maxNameLength} characters`);
  }

  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest ? { digest } : {}) };
}

/** The canonical text form: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** What to ask the registry for: the digest when pinned, else the tag, else `latest`. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/** The host that serves the v2 API for a registry name. */
export function registryEndpointHost(registry: string): string {
  return registry === dockerHub ? dockerHubEndpoint : registry;
}

export function isValidTag(tag: string): boolean {
  return tagRe.test(tag);
}

export function isSha256Digest(digest: string): boolean {
  return sha256Re.test(digest);
}
