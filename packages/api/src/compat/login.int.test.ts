import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { envelopeSchema, userVoSchema } from "@swhub/shared/starwhale-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { serveApi } from "../http/serve";
import { createApiToken, listApiTokens, revokeApiToken } from "../services/api-tokens";
import { createProject } from "../services/projects";
import { createUser, type SessionUser } from "../services/users";
import { createTempBlobStore } from "../test-helpers";
import { wireRequest } from "./wire-client";

// `swcli instance login` against our server (spec starwhale-api.md §3.1, §3.2), over real HTTP.
let t: TestDatabase;
let server: Awaited<ReturnType<typeof serveApi>>;
let admin: SessionUser;
let projectId: string;

const userEnvelope = envelopeSchema(userVoSchema);
const errorEnvelope = z.object({
  code: z.string().refine((c) => c !== "success"),
  message: z.string().min(1),
});

beforeAll(async () => {
  t = await createTestDatabase();
  server = await serveApi({ db: t.db, blobs: createTempBlobStore().store });
  admin = await createUser(t.db, { name: "starwhale", password: "abcd1234", isAdmin: true });
  await createUser(t.db, { name: "bob", password: "password-b" });
  projectId = (await createProject(t.db, { name: "demo", ownerId: admin.id })).id;
});
afterAll(async () => {
  await server.close();
  await t.drop();
});

const form = (body: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body,
});

/** What the client does after login: every request carries the stored token as its Authorization header. */
const withToken = (token: string) => ({
  headers: { authorization: token, "content-type": "application/json" },
});

describe("password login (swcli instance login --username --password)", () => {
  let token: string;

  it("checks the form-encoded password and answers 200, a token in Authorization and a UserVo", async () => {
    const body = "userName=starwhale&userPwd=abcd1234";
    expect(body.length).toBe(35); // the recorded Content-Length
    const res = await wireRequest(server.url, "/api/v1/login", form(body));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    token = String(res.headers.authorization);
    expect(token).toMatch(/^Bearer swh_[\w-]{20,}$/);
    const parsed = userEnvelope.parse(res.json());
    expect(parsed.code).toBe("success");
    expect(parsed.data).toMatchObject({
      id: admin.id,
      name: "starwhale",
      isEnabled: true,
      systemRole: "OWNER",
    });
    expect(parsed.data.projectRoles).toEqual({ [projectId]: "OWNER" });
    expect(Math.abs(parsed.data.createdTime - Date.now())).toBeLessThan(60_000);
  });

  it("accepts the stored value verbatim on later calls, and on our own API too", async () => {
    const res = await wireRequest(server.url, "/api/v1/user/current", withToken(token));
    expect(res.status).toBe(200);
    expect(userEnvelope.parse(res.json()).data.name).toBe("starwhale");

    const trpc = await fetch(`${server.url}/api/trpc/auth.me`, { headers: { authorization: token } });
    const me = (await trpc.json()) as { result: { data: { json: { name: string } | null } } };
    expect(me.result.data.json?.name).toBe("starwhale");
  });

  it("mints a real API token: listed by name, and dead once revoked", async () => {
    const tokens = await listApiTokens(t.db, { user: admin });
    const minted = tokens.find((k) => token.startsWith(`Bearer ${k.prefix}`));
    expect(minted).toMatchObject({ name: "Starwhale swcli login", state: "active" });
    await revokeApiToken(t.db, { userId: admin.id, tokenId: minted!.id });

    const res = await wireRequest(server.url, "/api/v1/user/current", withToken(token));
    expect(res.status).toBe(401);
    expect(errorEnvelope.parse(res.json()).message).toMatch(/^The token is invalid, expired or revoked/);
    // Even where anonymous callers are welcome, a dead token is refused rather than ignored.
    expect(
      (await wireRequest(server.url, "/api/v1/project?pageNum=1&pageSize=20", withToken(token))).status,
    ).toBe(401);
  });

  it("gives each login its own token", async () => {
    const first = await wireRequest(server.url, "/api/v1/login", form("userName=bob&userPwd=password-b"));
    const second = await wireRequest(server.url, "/api/v1/login", form("userName=bob&userPwd=password-b"));
    expect(first.headers.authorization).not.toBe(second.headers.authorization);
    const data = userEnvelope.parse(second.json()).data;
    expect(data).toMatchObject({ name: "bob", projectRoles: {} });
    expect(data.systemRole).toBeUndefined();
  });

  it("refuses a wrong password or user with 401 and a JSON message, and no token", async () => {
    for (const body of ["userName=starwhale&userPwd=wrong", "userName=nobody&userPwd=abcd1234"]) {
      const res = await wireRequest(server.url, "/api/v1/login", form(body));
      expect(res.status).toBe(401);
      expect(res.headers.authorization).toBeUndefined();
      expect(errorEnvelope.parse(res.json()).message).toBe("Wrong user name or password");
    }
  });

  it("answers a login without the fields, or not form-encoded, with 400 JSON", async () => {
    const missing = await wireRequest(server.url, "/api/v1/login", form("userName=starwhale"));
    expect(missing.status).toBe(400);
    expect(errorEnvelope.parse(missing.json()).message).toBe("Give userName and userPwd");
    const json = await wireRequest(server.url, "/api/v1/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userName: "starwhale", userPwd: "abcd1234" }),
    });
    expect(json.status).toBe(400);
    expect(errorEnvelope.parse(json.json()).message).toMatch(/x-www-form-urlencoded/);
  });
});

describe("token login (swcli instance login --token)", () => {
  it("takes a token made in the console, sent bare, and answers its Bearer form to store instead", async () => {
    const { token } = await createApiToken(t.db, { userId: admin.id, name: "laptop" });
    const res = await wireRequest(server.url, "/api/v1/user/current", withToken(token));
    expect(res.status).toBe(200);
    expect(res.headers.authorization).toBe(`Bearer ${token}`);
    expect(userEnvelope.parse(res.json()).data.name).toBe("starwhale");
    // The stored Bearer form works from then on.
    expect((await wireRequest(server.url, "/api/v1/user/current", withToken(`Bearer ${token}`))).status).toBe(
      200,
    );
  });

  it("answers 401 JSON without a token or with an unknown one", async () => {
    const none = await wireRequest(server.url, "/api/v1/user/current", {
      headers: { "content-type": "application/json" },
    });
    expect(none.status).toBe(401);
    expect(errorEnvelope.parse(none.json()).message).toMatch(/^Log in first/);
    const unknown = await wireRequest(server.url, "/api/v1/user/current", withToken("swh_not-a-real-token"));
    expect(unknown.status).toBe(401);
    expect(errorEnvelope.parse(unknown.json()).code).toBe("UNAUTHORIZED");
  });
});

describe("every answer is the JSON envelope", () => {
  it("answers unknown routes with 404 and wrong methods with 405, as JSON", async () => {
    const unknown = await wireRequest(server.url, "/api/v1/model?pageNum=1");
    expect(unknown.status).toBe(404);
    expect(errorEnvelope.parse(unknown.json()).code).toBe("NOT_FOUND");
    const wrong = await wireRequest(server.url, "/api/v1/login", { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    expect(errorEnvelope.parse(wrong.json()).message).toBe("GET is not allowed on /api/v1/login");
  });
});
