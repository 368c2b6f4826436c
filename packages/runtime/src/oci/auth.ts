import { AppError, forbidden } from "@swhub/shared/errors";
import { type Dispatcher, request } from "undici";
import { z } from "zod";
import type { Credentials } from "./credentials";
import { registryCredentialEnv } from "./credentials";

/** One `WWW-Authenticate` challenge: its scheme and parameters (realm, service, scope, error...). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull,push"` (several allowed). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const challenges: Challenge[] = [];
  for (const value of values) {
    // A new challenge starts at a token that is not followed by "=".
    const re = /([A-Za-z][\w-]*)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?/g;
    let current: Challenge | undefined;
    for (let match = re.exec(value); match; match = re.exec(value)) {
      const [, name, quoted, bare] = match as unknown as [
        string,
        string,
        string | undefined,
        string | undefined,
      ];
      if (quoted === undefined && bare === undefined) {
        current = { scheme: name.toLowerCase(), params: {} };
        challenges.push(current);
      } else if (current) {
        current.params[name.toLowerCase()] =
          quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
      }
    }
  }
  return challenges;
}

/** `repository:team/app:pull,push`: the scope string of the token auth spec. */
export function repositoryScope(repository: string, actions: readonly ("pull" | "push")[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}

/** Merges scopes on the same resource (`repository:a:pull` + `repository:a:push` → `repository:a:pull,push`). */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    const at = scope.lastIndexOf(":");
    const resource = scope.slice(0, at);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const action of scope.slice(at + 1).split(",")) if (action) actions.add(action);
    byResource.set(resource, actions);
  }
  return [...byResource].map(([resource, actions]) => `${resource}:${[...actions].sort().join(",")}`).sort();
}

const tokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

export interface TokenRequest {
  registry: string;
  realm: string;
  service?: string;
  scopes: string[];
  credentials?: Credentials;
  /** Plain http to the realm is only allowed for an insecure registry or a loopback token server. */
  insecure: boolean;
  dispatcher: Dispatcher;
}

/** A bearer token and when to stop using it. */
export interface Token {
  token: string;
  expiresAt: number;
}

/**
 * Gets a bearer token from the realm: OAuth2 refresh-token grant (POST) for identity tokens, otherwise
 * GET with optional basic credentials, as Docker and go-containerregistry do.
 */
export async function fetchToken(req: TokenRequest): Promise<Token> {
  const url = parseRealm(req);
  const credentials = req.credentials;
  const query = new URLSearchParams();
  if (req.service) query.set("service", req.service);
  for (const scope of req.scopes) query.append("scope", scope);

  let response: Dispatcher.ResponseData;
  try {
    if (credentials && "identityToken" in credentials) {
      query.set("grant_type", "refresh_token");
      query.set("refresh_token", credentials.identityToken);
      query.set("client_id", "swhub");
      response = await request(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: query.toString(),
        dispatcher: req.dispatcher,
      });
    } else {
      for (const [k, v] of query) url.searchParams.append(k, v);
      const headers: Record<string, string> = {};
      if (credentials) headers.authorization = basicAuthorization(credentials);
      response = await request(url, { method: "GET", headers, dispatcher: req.dispatcher });
    }
  } catch (error) {
    throw new AppError(
      "internal",
      `cannot reach the token server of ${req.registry}: ${describeNetworkError(error)}`,
    );
  }

  if (response.statusCode === 401 || response.statusCode === 403) {
    await response.body.dump();
    throw credentials ? authenticationFailed(req.registry) : authenticationRequired(req.registry);
  }
  const text = await response.body.text();
  if (response.statusCode >= 400) {
    throw new AppError(
      "internal",
      `the token server of ${req.registry} answered ${response.statusCode}: ${text.trim().slice(0, 200)}`,
    );
  }
  const parsed = tokenResponseSchema.safeParse(safeJson(text));
  const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  if (!token) throw new AppError("internal", `the token server of ${req.registry} gave no token`);
  // The spec's default lifetime is 60 s; renew a little early.
  const lifetime = Math.max(parsed.data?.expires_in ?? 60, 10);
  return { token, expiresAt: Date.now() + (lifetime - 5) * 1000 };
}

function parseRealm(req: TokenRequest): URL {
  let url: URL;
  try {
    url = new URL(req.realm);
  } catch {
    throw new AppError("internal", `${req.registry} named an invalid token realm "${req.realm}"`);
  }
  const loopback =
    ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) || url.hostname.startsWith("127.");
  if (url.protocol === "http:" && !req.insecure && !loopback) {
    throw forbidden(`${req.registry} asks for credentials over plain http (${url.origin}); refusing`);
  }
  return url;
}

export function basicAuthorization(credentials: Credentials): string {
  const user = "identityToken" in credentials ? (credentials.username ?? "<token>") : credentials.username;
  const secret = "identityToken" in credentials ? credentials.identityToken : credentials.password;
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}

export function authenticationFailed(registry: string): AppError {
  return new AppError(
    "unauthenticated",
    `authentication failed for ${registry}`,
    `check the user name and password (${registryCredentialEnv.username}/${registryCredentialEnv.password} or docker login ${registry})`,
  );
}

export function authenticationRequired(registry: string): AppError {
  return new AppError(
    "unauthenticated",
    `authentication required for ${registry}`,
    `set ${registryCredentialEnv.username} and ${registryCredentialEnv.password}, or run docker login ${registry}`,
  );
}

/** A short human reason for a failed connection: "connection refused", "host not found"... */
export function describeNetworkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
    ETIMEDOUT: "connection timed out",
    UND_ERR_CONNECT_TIMEOUT: "connection timed out",
    UND_ERR_SOCKET: "connection closed",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ERR_SSL_WRONG_VERSION_NUMBER: "TLS handshake failed (does it serve plain http? then name it as insecure)",
    DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "untrusted TLS certificate",
    SELF_SIGNED_CERT_IN_CHAIN: "untrusted TLS certificate",
  };
  if (code && known[code]) return known[code];
  return code ?? err.cause?.message ?? err.message ?? String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
