import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../testing/registry";
import { loadCredentials } from "./credentials";
import { sha256Digest } from "./digest";
import { createRegistryClient, type RegistryClientOptions } from "./registry";

const blob = Buffer.from("hello registry\n");
const source = { digest: sha256Digest(blob), size: blob.length, open: () => Readable.from([blob]) };

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "swhub-auth-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function roundTrip(options: RegistryClientOptions, repository = "team/app") {
  const client = createRegistryClient(options);
  try {
    await client.uploadBlob(repository, source);
    expect(await client.hasBlob(repository, source.digest)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of await client.openBlob(repository, source)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("hello registry\n");
  } finally {
    await client.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected a failure");
}

describe("basic auth (htpasswd)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: "basic" });
  });
  afterAll(() => registry.stop());

  it("pushes and pulls with a password from the environment", async () => {
    const credentials = await loadCredentials(registry.host, {
      env: { SW_REGISTRY_USERNAME: "swhub", SW_REGISTRY_PASSWORD: registry.user.password, HOME: tmp },
    });
    await roundTrip({ registry: registry.host, insecure: true, ...(credentials ? { credentials } : {}) });
  });

  it("reads auths.<host>.auth from a Docker config", async () => {
    const dockerDir = join(tmp, "docker-basic");
    const auth = Buffer.from(`swhub:${registry.user.password}`).toString("base64");
    await writeJson(join(dockerDir, "config.json"), { auths: { [`http://${registry.host}/v2/`]: { auth } } });
    const credentials = await loadCredentials(registry.host, { env: { DOCKER_CONFIG: dockerDir } });
    expect(credentials).toEqual({ username: "swhub", password: registry.user.password });
    await roundTrip(
      { registry: registry.host, insecure: true, credentials: credentials! },
      "from/docker-config",
    );
  });

  it("uses a Docker credential helper named in credHelpers", async () => {
    const dockerDir = join(tmp, "docker-helper");
    const binDir = join(tmp, "bin");
    await writeJson(join(dockerDir, "config.json"), { credHelpers: { [registry.host]: "swhubtest" } });
    const helper = join(binDir, "docker-credential-swhubtest");
    await mkdir(binDir, { recursive: true });
    // A real helper speaks the protocol: server URL on stdin, JSON on stdout.
    const printf = `printf '{"ServerURL":"%s","Username":"swhub","Secret":"%s"}' "$server" "${registry.user.password}"`;
    await writeFile(helper, `#!/bin/sh\nread server\n${printf}\n`);
    await chmod(helper, 0o755);
    const credentials = await loadCredentials(registry.host, {
      env: { DOCKER_CONFIG: dockerDir, PATH: `${binDir}:${process.env.PATH}` },
    });
    expect(credentials).toEqual({ username: "swhub", password: registry.user.password });
  });

  it("says the password is wrong in one line", async () => {
    const error = await failure(
      roundTrip({
        registry: registry.host,
        insecure: true,
        credentials: { username: "swhub", password: "nope" },
      }),
    );
    expect(error.code).toBe("unauthenticated");
    expect(error.message).toBe(`authentication failed for ${registry.host}`);
  });

  it("says credentials are needed when none are found", async () => {
    const credentials = await loadCredentials(registry.host, { env: { HOME: join(tmp, "empty-home") } });
    expect(credentials).toBeUndefined();
    const error = await failure(roundTrip({ registry: registry.host, insecure: true }));
    expect(error.code).toBe("unauthenticated");
    expect(error.message).toBe(`authentication required for ${registry.host}`);
  });

  it("keeps SW_REGISTRY_* to the host named in SW_REGISTRY_HOST", async () => {
    const env = {
      SW_REGISTRY_USERNAME: "u",
      SW_REGISTRY_PASSWORD: "p",
      SW_REGISTRY_HOST: "ghcr.io",
      HOME: tmp,
    };
    expect(await loadCredentials(registry.host, { env })).toBeUndefined();
    expect(await loadCredentials("ghcr.io", { env })).toEqual({ username: "u", password: "p" });
  });
});

describe("token auth (WWW-Authenticate bearer challenge)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: "token" });
  });
  afterAll(() => registry.stop());

  it("gets a token for the scope, caches it, and pushes and pulls", async () => {
    const before = registry.tokenServer!.requests.length;
    await roundTrip({ registry: registry.host, insecure: true, credentials: registry.user });
    const asked = registry.tokenServer!.requests.slice(before);
    // One token per scope set, reused across requests: push (POST, PUT) and pull (HEAD, GET).
    expect(asked).toEqual([
      { user: "swhub", scopes: ["repository:team/app:pull,push"] },
      { user: "swhub", scopes: ["repository:team/app:pull"] },
    ]);
  });

  it("exchanges an identity token (OAuth2 refresh grant) from the Docker config", async () => {
    const dockerDir = join(tmp, "docker-token");
    await writeJson(join(dockerDir, "config.json"), {
      auths: { [registry.host]: { auth: "", identitytoken: registry.user.identityToken } },
    });
    const credentials = await loadCredentials(registry.host, { env: { DOCKER_CONFIG: dockerDir } });
    expect(credentials).toEqual({ identityToken: registry.user.identityToken });
    await roundTrip(
      { registry: registry.host, insecure: true, credentials: credentials! },
      "via/identity-token",
    );
  });

  it("says the password is wrong in one line", async () => {
    const error = await failure(
      roundTrip({
        registry: registry.host,
        insecure: true,
        credentials: { username: "swhub", password: "wrong" },
      }),
    );
    expect(error).toMatchObject({
      code: "unauthenticated",
      message: `authentication failed for ${registry.host}`,
    });
  });

  it("reports a denied push for an account that may only pull", async () => {
    const error = await failure(
      roundTrip({ registry: registry.host, insecure: true, credentials: registry.reader }),
    );
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain(`access denied on ${registry.host}`);
  });
});

describe("anonymous pulls under token auth", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: "token", anonymousPull: true });
  });
  afterAll(() => registry.stop());

  it("pulls without credentials but may not push", async () => {
    await roundTrip({ registry: registry.host, insecure: true, credentials: registry.user }, "public/app");
    const anonymous = createRegistryClient({ registry: registry.host, insecure: true });
    expect(await anonymous.hasBlob("public/app", source.digest)).toBe(true);
    const error = await failure(anonymous.uploadBlob("public/app", source));
    expect(error).toMatchObject({
      code: "unauthenticated",
      message: `authentication required for ${registry.host}`,
    });
    await anonymous.close();
  });
});

describe("https", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
  });
  afterAll(() => registry.stop());

  it("speaks https by default and trusts a CA it is given", async () => {
    await roundTrip({ registry: registry.host, ca: registry.caCert! });
  });

  it("refuses a certificate it does not trust", async () => {
    const client = createRegistryClient({ registry: registry.host });
    const error = await failure(client.hasBlob("team/app", source.digest));
    expect(error.message).toBe(`cannot reach ${registry.host}: self-signed TLS certificate`);
    await client.close();
  });
});

describe("errors users meet", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry.stop());

  it("cannot reach a registry that is not there", async () => {
    const stopped = await startRegistry();
    await stopped.stop();
    const client = createRegistryClient({ registry: stopped.host, insecure: true });
    const error = await failure(client.getManifest("team/app", "latest"));
    expect(error.message).toBe(`cannot reach ${stopped.host}: connection refused`);
    await client.close();
  });

  it("does not speak plain http unless the registry is named insecure", async () => {
    const client = createRegistryClient({ registry: registry.host });
    const error = await failure(client.getManifest("team/app", "latest"));
    expect(error.message).toMatch(new RegExp(`^cannot reach ${registry.host}: .*TLS`));
    await client.close();
  });

  it("names an unknown repository and an unknown tag", async () => {
    const client = createRegistryClient({ registry: registry.host, insecure: true });
    const unknownRepo = await failure(client.getManifest("nobody/here", "latest"));
    expect(unknownRepo).toMatchObject({ code: "not_found" });
    expect(unknownRepo.message).toMatch(/nobody\/here/);
    await client.uploadBlob("team/app", source);
    const unknownTag = await failure(client.getManifest("team/app", "no-such-tag"));
    expect(unknownTag).toMatchObject({
      code: "not_found",
      message: `tag no-such-tag not found in ${registry.host}/team/app`,
    });
    expect(await client.headManifest("team/app", "no-such-tag")).toBeUndefined();
    await client.close();
  });
});

async function writeJson(path: string, value: unknown) {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, JSON.stringify(value));
}
