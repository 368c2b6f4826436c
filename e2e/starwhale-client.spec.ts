import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { admin, expect, test } from "./fixtures";

/*
 * Starwhale's own swcli 0.6.15 against the running system (`pnpm start`, so Next.js serves /api/v1): login, copy a
 * real Starwhale bundle up and down, and remove and recover through the client's mangled paths. The requests are
 * the recorded ones (spec starwhale-api.md); Node's fetch follows redirects as python-requests does (307/308 keep
 * the method, the body and, on the same host, the Authorization header).
 */
const demo = {
  version: "nlkdjrzz3jlhwnz2pzxlb2q244x5qchmxyafi34y",
  bytes: readFileSync(
    new URL("../packages/runtime/test-fixtures/starwhale-0.6.15/demo.swrt", import.meta.url),
  ),
};
const requestsHeaders = { "user-agent": "python-requests/2.28.1", accept: "*/*" };

test("swcli 0.6.15's login, copy up and down, list, remove and recover work through the console", async () => {
  const base = process.env.SW_E2E_BASE_URL!;
  const login = await fetch(`${base}/api/v1/login`, {
    method: "POST",
    headers: { ...requestsHeaders, "content-type": "application/x-www-form-urlencoded" },
    body: `userName=${admin.name}&userPwd=${encodeURIComponent(admin.password)}`,
  });
  expect(login.status).toBe(200);
  const token = login.headers.get("authorization")!;
  expect(token).toMatch(/^Bearer swh_/);
  expect(await login.json()).toMatchObject({ code: "success", data: { name: admin.name } });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...requestsHeaders,
        authorization: token,
        "content-type": "application/json",
        ...init.headers,
      },
    });

  // The project is made through our own API, with the same token.
  const project = `wire${randomBytes(3).toString("hex")}`;
  const created = await call("/api/trpc/project.create", {
    method: "POST",
    body: JSON.stringify({ json: { name: project } }),
  });
  expect(created.status).toBe(200);
  const lookup = await call(`/api/v1/project/${project}`);
  const pid = ((await lookup.json()) as { data: { id: string } }).data.id;

  const versionPath = `/api/v1/project/${pid}/runtime/wiretest/version/${demo.version}`;
  expect((await call(versionPath, { method: "HEAD" })).status).toBe(404);
  const boundary = randomBytes(16).toString("hex");
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = Buffer.concat([
    Buffer.from(
      `${field("runtime", `wiretest:${demo.version}`)}${field("project", pid)}${field("force", "0")}` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${demo.version}.swrt"\r\n` +
        "Content-Type: text/plain\r\n\r\n",
    ),
    demo.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const uploaded = await call(`${versionPath}/file`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
  });
  expect(uploaded.status).toBe(200);
  expect(await uploaded.json()).toMatchObject({ code: "success", data: expect.stringMatching(/^\d+$/) });
  expect((await call(versionPath, { method: "HEAD" })).status).toBe(200);

  const names = async () => {
    const res = await call(`/api/v1/project/${pid}/runtime?pageNum=1&pageSize=20&latest=False`);
    const page = (await res.json()) as { data: { total: number; size: number; list: { name: string }[] } };
    return page.data.list.map((r) => r.name);
  };
  expect(await names()).toEqual(["wiretest"]);

  const download = await call(`${versionPath}/file?runtime=wiretest%3A${demo.version}&project=${pid}`);
  expect(download.status).toBe(200);
  expect(download.headers.get("content-disposition")).toBe(`attachment; filename="${demo.version}.swrt"`);
  expect(Buffer.from(await download.arrayBuffer()).equals(demo.bytes)).toBe(true);

  // The client's mangled path, `//` included. Next.js answers a path with `//` by a 308 to the folded path, which
  // the client follows; the folded path maps onto the same handler.
  const mangled = `/api/v1/project/${base}/project/${pid}/ResourceType.runtime/wiretest`;
  const removed = await call(mangled, { method: "DELETE" });
  expect(removed.status).toBe(200);
  expect(await removed.json()).toMatchObject({ code: "success" });
  expect(await names()).toEqual([]);
  expect((await call(`${mangled}/recover`, { method: "PUT" })).status).toBe(200);
  expect(await names()).toEqual(["wiretest"]);
});
