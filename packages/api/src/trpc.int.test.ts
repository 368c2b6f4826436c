import { createTestDatabase, type TestDatabase } from "@swhub/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTrpcHandler } from "./http/trpc-handler";
import { createUser } from "./services/users";
import { createTempBlobStore } from "./test-helpers";

// Over HTTP, as the browser and swcli see it: an AppError becomes its own status, never a 500.
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await createUser(t.db, { name: "alice", password: "correct horse" });
});
afterAll(() => t.drop());

function call(path: string, init: RequestInit = {}) {
  return createTrpcHandler({ db: t.db, blobs: createTempBlobStore().store })(
    new Request(`http://localhost/api/trpc/${path}`, init),
  );
}

interface ErrorBody {
  error: { json: { message: string; data: Record<string, unknown> } };
}

function signIn(name: string, password: string) {
  return call("auth.signIn", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: { name, password } }),
  });
}

it("answers a wrong password with 401 and the AppError's message and code", async () => {
  const res = await signIn("alice", "nope");
  expect(res.status).toBe(401);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.json.message).toBe("Wrong user name or password");
  expect(body.error.json.data).toMatchObject({ code: "UNAUTHORIZED", appCode: "unauthenticated" });
  expect(body.error.json.data.stack).toBeUndefined();
});

it("answers invalid input with 400 and a one-line message", async () => {
  const res = await signIn("", "x");
  expect(res.status).toBe(400);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.json.message).toBe("name: Enter your user name");
});

it("sets the session cookie on the HTTP response of a good sign-in", async () => {
  const res = await signIn("alice", "correct horse");
  expect(res.status).toBe(200);
  expect(res.headers.get("set-cookie")).toMatch(/^sw_session=/);
});
