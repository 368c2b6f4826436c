import { execFile } from "node:child_process";
import { createPrivateKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

/** A test account of the token server: `pull` only, or everything asked for. */
export interface TestUser {
  username: string;
  password: string;
  access: "pull" | "all";
  /** An identity (refresh) token that stands for this user in the OAuth2 refresh-token grant. */
  identityToken?: string;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the self-signed certificate the registry trusts (`rootcertbundle`). */
  certPath: string;
  /** Token requests served so far, with the scopes asked for (to check caching). */
  requests: { user: string | undefined; scopes: string[] }[];
  stop(): Promise<void>;
}

/**
 * A tiny implementation of the Docker token auth spec for tests: it checks basic credentials (or a refresh
 * token), then signs an ES256 JWT whose `x5c` header carries a self-signed certificate made with openssl,
 * which the registry trusts through `auth.token.rootcertbundle`.
 */
export async function startTokenServer(
  dir: string,
  users: TestUser[],
  anonymousPull = false,
): Promise<TokenServer> {
  const keyPath = join(dir, "token-key.pem");
  const certPath = join(dir, "token-cert.pem");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    "/CN=swhub-test-token",
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString("base64");
  const service = "swhub-test-registry";
  const issuer = "swhub-test-issuer";
  const requests: TokenServer["requests"] = [];

  const issue = (subject: string, access: { type: string; name: string; actions: string[] }[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "ES256", x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${encode(header)}.${encode(claims)}`;
    const signature = sign("sha256", Buffer.from(unsigned), { key, dsaEncoding: "ieee-p1363" });
    return { token: `${unsigned}.${signature.toString("base64url")}`, expires_in: 300 };
  };

  const grant = (user: TestUser | undefined, scopes: string[]) =>
    scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(":") as [string, string, string];
      if (type !== "repository" || !name || !actions) return [];
      const wanted = actions.split(",");
      const allowed = user?.access === "all" ? wanted : wanted.filter((a) => a === "pull");
      return allowed.length > 0 ? [{ type, name, actions: allowed }] : [];
    });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const params = req.method === "POST" ? new URLSearchParams(body) : url.searchParams;
      const scopes = params
        .getAll("scope")
        .flatMap((s) => s.split(" "))
        .filter(Boolean);
      let user: TestUser | undefined;
      if (req.method === "POST" && params.get("grant_type") === "refresh_token") {
        user = users.find((u) => u.identityToken && u.identityToken === params.get("refresh_token"));
        if (!user) return reply(res, 401, { error: "invalid_grant" });
      } else if (req.headers.authorization?.startsWith("Basic ")) {
        const [name, ...rest] = Buffer.from(req.headers.authorization.slice(6), "base64")
          .toString()
          .split(":");
        user = users.find((u) => u.username === name && u.password === rest.join(":"));
        if (!user) return reply(res, 401, { details: "incorrect username or password" });
      } else if (!anonymousPull) {
        return reply(res, 401, { details: "authentication required" });
      }
      requests.push({ user: user?.username, scopes });
      const token = issue(user?.username ?? "", grant(user, scopes));
      reply(res, 200, { ...token, access_token: token.token });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function reply(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
