import { readFileSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { passwordOf, startTestServer, type TestServer } from "./testing/server";
import { buildSwcli, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// `swcli instance login` and `swcli project …` against a real server (HTTP, Postgres), through the real swcli.

let server: TestServer;
let build: SwcliBuild;
let box: Sandbox;

beforeAll(async () => {
  [server, build] = await Promise.all([startTestServer(), buildSwcli()]);
  box = await createSandbox(build.entry);
}, 120_000);

afterAll(async () => {
  await box?.cleanup();
  await build?.remove();
  await server?.close();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const config = () => parse(readFileSync(box.configFile, "utf8"));

describe("instance login", () => {
  it("exchanges a password for an API token, stores it 0600, and makes the instance current", async () => {
    const run = ok(
      await box.swcli([
        "instance",
        "login",
        server.url,
        "--alias",
        "hub",
        "--username",
        "maria",
        "--password",
        passwordOf("maria"),
      ]),
    );
    expect(run.stdout).toContain(`logged in to ${server.url} as maria; current instance: hub`);
    const saved = config();
    expect(saved.current_instance).toBe("hub");
    expect(saved.instances.hub).toMatchObject({
      uri: server.url,
      type: "cloud",
      user_name: "maria",
      user_role: "normal",
    });
    expect(saved.instances.hub.sw_token).toMatch(/^swh_/);
    expect(statSync(box.configFile).mode & 0o777).toBe(0o600);
    // The token is a real one, named after the login, and works on its own.
    const info = ok(await box.swcli(["-o", "json", "project", "info", "cloud://hub/project/demo"]));
    expect(JSON.parse(info.stdout)).toMatchObject({ name: "demo", role: "maintainer" });
  });

  it("takes a token made in the console", async () => {
    const token = await server.tokenFor(server.users.gus);
    ok(await box.swcli(["instance", "login", server.url, "--alias", "guest", "--token", token]));
    expect(config().instances.guest).toMatchObject({ user_name: "gus", sw_token: token });
    const list = JSON.parse(ok(await box.swcli(["-o", "json", "instance", "list"])).stdout);
    expect(list.map((i: { alias: string; current: boolean }) => [i.alias, i.current])).toEqual([
      ["local", false],
      ["hub", false],
      ["guest", true],
    ]);
  });

  it("refuses a wrong password, a bad token, a bad URL and an unreachable server in one line, writing nothing", async () => {
    const before = readFileSync(box.configFile, "utf8");
    const cases: [string[], RegExp][] = [
      [["--username", "maria", "--password", "nope"], /^error: .* refused the user name or password\n$/],
      [["--token", "swh_notatoken"], /^error: .* refused the token: .*\nhint: create a token in the console/],
    ];
    for (const [args, message] of cases) {
      const run = await box.swcli(["instance", "login", server.url, "--alias", "x", ...args]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
    }
    const bad = await box.swcli(["instance", "login", "http://exa mple", "--alias", "x", "--token", "t"]);
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: "http:\/\/exa mple" is not a URL\n/),
    });
    const port = await closedPort();
    const closed = await box.swcli([
      "instance",
      "login",
      `127.0.0.1:${port}`,
      "--alias",
      "x",
      "--token",
      "t",
    ]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain(
      `error: can't reach the server at http://127.0.0.1:${port}: connection refused\nhint: check the URL`,
    );
    expect(closed.stderr).not.toMatch(/at .*\.m?js/);
    expect(readFileSync(box.configFile, "utf8")).toBe(before);
  });
});

describe("project", () => {
  it("creates, lists, selects and shows projects on the server", async () => {
    ok(await box.swcli(["instance", "select", "hub"]));
    ok(await box.swcli(["project", "create", "cloud://hub/project/mnist"]));
    const dup = await box.swcli(["project", "create", "cloud://hub/project/mnist"]);
    expect(dup).toMatchObject({ code: 1, stderr: expect.stringContaining('Project "mnist" already exists') });
    const listed = JSON.parse(ok(await box.swcli(["-o", "json", "project", "list"])).stdout);
    expect(listed.map((p: { name: string }) => p.name)).toEqual(["demo", "mnist"]);
    expect(listed[1]).toMatchObject({ instance: "hub", owner: "maria", current: false });

    ok(await box.swcli(["project", "select", "cloud://hub/project/mnist"]));
    expect(config().instances.hub.current_project).toBe("mnist");
    const table = ok(await box.swcli(["project", "list"])).stdout;
    expect(table).toMatch(/\*\s+mnist/);
    const info = ok(await box.swcli(["project", "info", "mnist"])).stdout;
    expect(info).toMatch(/^name:\s+mnist$/m);
    expect(info).toMatch(/^visibility:\s+private$/m);
    expect(info).toMatch(/^your role:\s+owner$/m);
  });

  it("a project the user can't read is not found; the guest can't create on another's behalf", async () => {
    ok(await box.swcli(["project", "create", "cloud://hub/project/secret"]));
    const run = await box.swcli(["project", "info", "cloud://guest/project/secret"]);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toMatch(/^error: .*secret.*not found/i);
  });

  it("works on the standalone instance too", async () => {
    ok(await box.swcli(["project", "create", "local/project/mine"]));
    ok(await box.swcli(["project", "select", "local/project/mine"]));
    expect(config()).toMatchObject({
      current_instance: "local",
      instances: { local: { current_project: "mine" } },
    });
    const listed = JSON.parse(ok(await box.swcli(["-o", "json", "project", "list"])).stdout);
    expect(listed).toContainEqual(expect.objectContaining({ name: "mine", current: true }));
    const missing = await box.swcli(["project", "select", "nothere"]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining("no project nothere") });
  });
});
