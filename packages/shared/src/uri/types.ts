/** The instances a user has configured, as swcli's config file holds them. Parsing needs nothing else. */
export interface UriContext {
  /** alias → instance. `local` is always there, with uri "local". */
  instances: Record<string, { uri: string; currentProject?: string }>;
  currentInstance: string;
}

export const resourceTypes = ["runtime", "model", "dataset", "job", "evaluation"] as const;
export type ResourceType = (typeof resourceTypes)[number];

export interface InstanceRef {
  alias: string;
  /** "local" for the standalone instance, else the server's origin, e.g. "https://foo.com". */
  uri: string;
}

export interface ProjectUri {
  instance: InstanceRef;
  /** A project name or, on a server, its numeric id. */
  project: string;
}

export interface ResourceUri extends ProjectUri {
  type: ResourceType;
  name: string;
  /** As typed: a full version id, a prefix, a tag, `latest` or `vN`. Undefined when the URI gives none. */
  version?: string;
  /**
   * The URI was a single word. It is a runtime name first; resolution may read it as a version prefix
   * when no runtime has that name (DESIGN.md difference 2).
   */
  bareWord?: boolean;
}

export const LOCAL = "local";

export function isLocal(instance: InstanceRef): boolean {
  return instance.uri === LOCAL;
}
