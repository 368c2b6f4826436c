import { type CredentialSources, loadCredentials } from "../oci/credentials";
import { createRegistryClient, type RegistryClient } from "../oci/registry";

/** How to reach registries: where credentials come from, which may be plain http, which CA to trust. */
export interface RegistrySettings {
  /** `SW_REGISTRY_*` variables and the Docker config (see `loadCredentials`). */
  credentials?: CredentialSources;
  /** Registries (`host:port`) the user named as insecure: spoken to over plain http. */
  insecure?: readonly string[];
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
}

/** One client per registry for the length of a dockerize, closed together. */
export interface ClientPool {
  get(registry: string): Promise<RegistryClient>;
  close(): Promise<void>;
}

/** With `signal`, aborting it ends every client's requests in flight. */
export function createClientPool(settings: RegistrySettings = {}, signal?: AbortSignal): ClientPool {
  const clients = new Map<string, Promise<RegistryClient>>();
  const insecure = new Set((settings.insecure ?? []).map((r) => r.trim().toLowerCase()).filter(Boolean));
  return {
    get(registry) {
      let client = clients.get(registry);
      if (!client) {
        client = loadCredentials(registry, settings.credentials).then((credentials) =>
          createRegistryClient({
            registry,
            insecure: insecure.has(registry.toLowerCase()),
            ...(credentials ? { credentials } : {}),
            ...(settings.ca ? { ca: settings.ca } : {}),
            userAgent: "swhub-dockerize",
            ...(signal ? { signal } : {}),
          }),
        );
        clients.set(registry, client);
      }
      return client;
    },
    async close() {
      for (const client of clients.values()) await (await client.catch(() => undefined))?.close();
    },
  };
}
