import type { Readable } from "node:stream";
import { AppError, forbidden } from "@swhub/shared/errors";
import { Agent, type Dispatcher, request } from "undici";
import {
  authenticationFailed,
  authenticationRequired,
  basicAuthorization,
  describeNetworkError,
  fetchToken,
  mergeScopes,
  parseChallenges,
  type Token,
} from "./auth";
import type { Credentials } from "./credentials";
import { registryEndpointHost } from "./reference";

export interface TransportOptions {
  /** The registry name as in image references: `ghcr.io`, `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  /** Use plain http. Only for registries the user named as insecure (and loopback test registries). */
  insecure?: boolean;
  /** Credentials for this registry; undefined means anonymous. See `loadCredentials`. */
  credentials?: Credentials;
  /** Extra trusted CA certificates (PEM) for a registry with a private CA. */
  ca?: string | Buffer;
  userAgent?: string;
  /** Ends every request in flight, and refuses new ones, when it aborts (a cancelled job's push or pull). */
  signal?: AbortSignal;
}

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RegistryRequest {
  method: Method;
  /** A path (`/v2/...`) or an absolute URL (an upload `Location`). */
  url: string;
  /** Token scopes the request needs, e.g. `repository:team/app:pull,push`. */
  scopes: string[];
  headers?: Record<string, string>;
  /** A factory for stream bodies, so a request can be replayed after an auth challenge. */
  body?: Buffer | string | (() => Readable);
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData["body"];
  /** The URL that answered (after redirects), to resolve relative `Location`s against. */
  url: URL;
}

export interface Transport {
  registry: string;
  baseUrl: URL;
  send(req: RegistryRequest): Promise<RegistryResponse>;
  close(): Promise<void>;
}

/**
 * HTTP to one registry, with its authentication: anonymous, basic, or bearer tokens obtained through the
 * `WWW-Authenticate` challenge and cached per scope set. Once a registry is known to want basic or bearer,
 * later requests carry credentials up front instead of paying a 401 round trip each.
 */
export function createTransport(options: TransportOptions): Transport {
  const { registry, credentials } = options;
  const insecure = options.insecure ?? false;
  const baseUrl = new URL(`${insecure ? "http" : "https"}://${registryEndpointHost(registry)}`);
  const dispatcher = new Agent({
    connections: 16,
    keepAliveTimeout: 30_000,
    ...(options.ca ? { connect: { ca: options.ca } } : {}),
  });
  const userAgent = options.userAgent ?? "swhub";
  // Destroying the dispatcher fails what it carries at once: a registry that stops answering holds nothing up.
  const { signal } = options;
  signal?.addEventListener("abort", () => dispatcher.destroy(signal.reason, () => {}), { once: true });

  let scheme: "unknown" | "basic" | "bearer" = "unknown";
  let bearer: { realm: string; service?: string } | undefined;
  // Promises, so parallel requests that need the same scopes share one token request.
  const tokens = new Map<string, Promise<Token>>();

  async function tokenFor(scopes: string[]): Promise<Token> {
    const merged = mergeScopes(scopes);
    const key = merged.join(" ");
    const cached = tokens.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.expiresAt > Date.now()) return token;
    }
    const pending = fetchToken({
      registry,
      realm: bearer!.realm,
      ...(bearer!.service ? { service: bearer!.service } : {}),
      scopes: merged,
      ...(credentials ? { credentials } : {}),
      insecure,
      dispatcher,
    });
    tokens.set(key, pending);
    pending.catch(() => tokens.delete(key));
    return pending;
  }

  async function authorization(scopes: string[]): Promise<string | undefined> {
    if (scheme === "basic" && credentials) return basicAuthorization(credentials);
    if (scheme === "bearer") return `Bearer ${(await tokenFor(scopes)).token}`;
    return undefined;
  }

  async function sendOnce(
    req: RegistryRequest,
    url: URL,
    auth: string | undefined,
  ): Promise<RegistryResponse> {
    const headers: Record<string, string> = { "user-agent": userAgent, ...req.headers };
    if (auth) headers.authorization = auth;
    const body = typeof req.body === "function" ? req.body() : req.body;
    try {
      const res = await request(url, { method: req.method, headers, body: body ?? null, dispatcher });
      return { status: res.statusCode, headers: res.headers, body: res.body, url };
    } catch (error) {
      if (typeof body === "object" && body && "destroy" in body) (body as Readable).destroy();
      signal?.throwIfAborted();
      throw new AppError("internal", `cannot reach ${registry}: ${describeNetworkError(error)}`);
    }
  }

  async function send(req: RegistryRequest): Promise<RegistryResponse> {
    let url = new URL(req.url, baseUrl);
    let scopes = req.scopes;
    let sentAuth = false;
    for (let attempt = 0; ; attempt++) {
      const auth = url.host === baseUrl.host ? await authorization(scopes) : undefined;
      const res = await sendOnce(req, url, auth);
      sentAuth = auth !== undefined;

      // Blob reads may be redirected to storage (S3, a CDN): follow, without our credentials.
      if ([301, 302, 303, 307, 308].includes(res.status) && (req.method === "GET" || req.method === "HEAD")) {
        const location = res.headers.location;
        await res.body.dump();
        if (typeof location !== "string" || attempt > 5)
          throw new AppError("internal", `${registry} redirected badly`);
        url = new URL(location, url);
        continue;
      }
      if (res.status !== 401 || attempt >= 2) {
        if (res.status === 401) {
          await res.body.dump();
          throw credentials ? authenticationFailed(registry) : authenticationRequired(registry);
        }
        return res;
      }

      await res.body.dump();
      const challenges = parseChallenges(res.headers["www-authenticate"]);
      const bearerChallenge = challenges.find((c) => c.scheme === "bearer");
      const basicChallenge = challenges.find((c) => c.scheme === "basic");
      if (bearerChallenge?.params.realm) {
        // A token we just got that still lacks the scope: the account may not do this.
        if (sentAuth && scheme === "bearer" && bearerChallenge.params.error === "insufficient_scope") {
          if (!credentials) throw authenticationRequired(registry);
          throw forbidden(
            `access denied on ${registry} (${mergeScopes(scopes).join(" ")})`,
            "check that the account may pull/push this repository",
          );
        }
        if (sentAuth && scheme === "bearer") tokens.delete(mergeScopes(scopes).join(" "));
        scheme = "bearer";
        bearer = {
          realm: bearerChallenge.params.realm,
          ...(bearerChallenge.params.service ? { service: bearerChallenge.params.service } : {}),
        };
        if (bearerChallenge.params.scope)
          scopes = mergeScopes([...scopes, ...bearerChallenge.params.scope.split(" ")]);
      } else if (basicChallenge) {
        if (!credentials) throw authenticationRequired(registry);
        if (sentAuth && scheme === "basic") throw authenticationFailed(registry);
        scheme = "basic";
      } else {
        throw credentials ? authenticationFailed(registry) : authenticationRequired(registry);
      }
    }
  }

  return { registry, baseUrl, send, close: () => dispatcher.close() };
}
