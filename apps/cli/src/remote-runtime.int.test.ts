import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  RuntimeCopyJson,
  RuntimeHistoryItemJson,
  RuntimeInfoJson,
  RuntimeListItemJson,
  RuntimeTagsJson,
} from "./output/shapes";
import { passwordOf, startTestServer, type TestServer } from "./testing/server";
import { demo, expectOneLineError, fixtures } from "./testing/starwhale-store";
import { buildSwcli, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// Every runtime command that reads or manages, and `runtime copy` in every direction, through the real swcli
// against a real server (HTTP, Postgres, a blob directory). maria maintains project `demo`; gus is its guest.

let server: TestServer;
let build: SwcliBuild;
let box: Sandbox;
let guestBox: Sandbox;

const sw = (...args: string[]) => box.swcli(args);
const json = async <T>(...args: string[]): Promise<T> =>
  JSON.parse(ok(await sw("-o", "json", ...args)).stdout) as T;
const short = demo.slice(0, 12);
const offline = { PIP_FIND_LINKS: join(fixtures, "wheels"), PIP_NO_INDEX: "1" };

beforeAll(async () => {
  [server, build] = await Promise.all([startTestServer(), buildSwcli()]);
  box = await createSandbox(build.entry);
  guestBox = await createSandbox(build.entry);
  const login = (b: Sandbox, alias: string, user: string) =>
    b.swcli([
      "instance",
      "login",
      server.url,
      "--alias",
      alias,
      "--username",
      user,
      "--password",
      passwordOf(user),
    ]);
  ok(await login(box, "pre-k8s", "maria"));
  ok(await login(guestBox, "hub", "gus"));
  ok(await guestBox.swcli(["instance", "select", "local"]));
  ok(await sw("project", "create", "cloud://pre-k8s/project/mnist"));
  ok(await sw("instance", "select", "local"));
  await box.placeBundle("self", "mnist-local", demo, join(fixtures, "demo.swrt"));
  await guestBox.placeBundle("self", "mnist-local", demo, join(fixtures, "demo.swrt"));
  ok(await sw("runtime", "tag", "mnist-local", "t1", "t2"));
}, 120_000);

afterAll(async () => {
  await box?.cleanup();
  await guestBox?.cleanup();
  await build?.remove();
  await server?.close();
});

describe("runtime copy, following the seed's examples", () => {
  it("local → server: a new name, the local name, without cloud://, and from another local project", async () => {
    const first = ok(
      await sw(
        "runtime",
        "cp",
        "mnist-local/version/latest",
        "cloud://pre-k8s/project/mnist/mnist-cloud",
        "-i",
        "t2",
      ),
    );
    expect(first.stdout).toBe(`copied mnist/mnist-cloud/version/${short}\ntags: t1\n`);
    expect(first.stderr).toMatch(/^upload: started \(20\.0 KiB\)$/m);
    // The server has the blob now: the same version under other names sends no blob bytes.
    const copied = await json<RuntimeCopyJson>(
      "runtime",
      "cp",
      "mnist-local/version/latest",
      "cloud://pre-k8s/project/mnist",
    );
    expect(copied).toMatchObject({
      status: "copied",
      dest: `${server.url}/project/mnist/runtime/mnist-local/version/${demo}`,
      tags: ["t1", "t2"],
    });
    const again = ok(await sw("runtime", "cp", "mnist-local/version/latest", "pre-k8s/project/mnist/third"));
    expect(again.stdout).toContain(`copied mnist/third/version/${short}`);
    expect(again.stderr).not.toMatch(/^upload: /m);
    const kept = ok(
      await sw(
        "runtime",
        "cp",
        "local/project/self/runtime/mnist-local/version/latest",
        "cloud://pre-k8s/project/mnist",
      ),
    );
    expect(kept.stdout).toBe(
      `mnist/mnist-local/version/${short} already exists; kept it (pass -f to overwrite)\ntags: t1, t2\n`,
    );
    const forced = await json<RuntimeCopyJson>(
      "runtime",
      "cp",
      "mnist-local",
      "cloud://pre-k8s/project/mnist",
      "-f",
    );
    expect(forced.status).toBe("overwritten");
  });

  it("server → local: into a named project, '.', -dlp, a new name, a new name with -dlp; then activates it", async () => {
    const src = `cloud://pre-k8s/project/mnist/mnist-cloud/version/${demo}`;
    const oldForm = `cloud://pre-k8s/project/runtime/mnist/mnist-cloud/version/${demo}`;
    const cases: [string[], string][] = [
      [[src, "local/project/myproject/mnist-local"], `myproject/mnist-local/version/${short}`],
      [[oldForm, "."], `self/mnist-cloud/version/${short}`],
      [[src, ".", "-dlp", "myproject"], `myproject/mnist-cloud/version/${short}`],
      [[oldForm, "mnist-copy"], `self/mnist-copy/version/${short}`],
      [[src, "mnist-copy", "-dlp", "myproject"], `myproject/mnist-copy/version/${short}`],
    ];
    for (const [args, dest] of cases) {
      const run = ok(await sw("runtime", "cp", ...args));
      expect(run.stdout).toBe(`copied ${dest}\ntags: t1\n`);
    }
    const history = await json<RuntimeHistoryItemJson[]>(
      "runtime",
      "history",
      "local/project/myproject/mnist-copy",
    );
    expect(history).toEqual([expect.objectContaining({ version: demo, tags: ["latest", "v0", "t1"] })]);
    const activated = ok(
      await box.swcli(["runtime", "activate", "local/project/myproject/runtime/mnist-copy", "--print"], {
        env: offline,
      }),
    );
    expect(activated.stdout).toMatch(
      /^export SW_ACTIVATED_RUNTIME_MODE_IN_SHELL=venv .*\nsource .*\/bin\/activate\n$/,
    );
    expect(activated.stderr).toContain("Successfully installed");
  }, 180_000);

  it("server → server on one server: no bytes move, tags follow", async () => {
    const run = await json<RuntimeCopyJson>(
      "runtime",
      "cp",
      "cloud://pre-k8s/project/mnist/runtime/mnist-local",
      "cloud://pre-k8s/project/demo/copied",
    );
    expect(run).toMatchObject({ status: "copied", version: demo, tags: ["t1", "t2"] });
    const list = await json<RuntimeListItemJson[]>("runtime", "list", "-p", "cloud://pre-k8s/project/demo");
    expect(list).toEqual([
      expect.objectContaining({
        name: "copied",
        version: demo,
        tags: ["latest", "v0", "t1", "t2"],
        owner: "maria",
      }),
    ]);
  });

  it("a guest can't copy in: one clear line, exit 1, nothing half-written on the server", async () => {
    const uploadsBefore = await server.db.db.execute("select count(*)::int as n from blob_uploads");
    const run = await guestBox.swcli(["runtime", "cp", "mnist-local", "cloud://hub/project/demo/guest-copy"]);
    expectOneLineError(run, /^error: .*(maintainer|permission|not allowed)/i);
    const after = await server.db.db.execute("select count(*)::int as n from blob_uploads");
    expect(after).toEqual(uploadsBefore);
    const names = JSON.parse(
      ok(await guestBox.swcli(["-o", "json", "runtime", "list", "-p", "cloud://hub/project/demo"])).stdout,
    ).map((r: RuntimeListItemJson) => r.name);
    expect(names).not.toContain("guest-copy");
  });
});

describe("reading and managing runtimes on a server", () => {
  it("lists with filters and paging, shows history and info (all sections), by URI and by console URL", async () => {
    const all = await json<RuntimeListItemJson[]>("runtime", "list", "-p", "cloud://pre-k8s/project/mnist");
    expect(all.map((r) => r.name).sort()).toEqual(["mnist-cloud", "mnist-local", "third"]);
    const named = await json<RuntimeListItemJson[]>(
      "runtime",
      "ls",
      "--project",
      "pre-k8s/project/mnist",
      "-fl",
      "name=mnist-",
      "--size",
      "1",
      "--page",
      "2",
    );
    expect(named).toHaveLength(1);
    const table = ok(
      await sw("runtime", "list", "-p", "cloud://pre-k8s/project/mnist", "--size", "2"),
    ).stdout;
    expect(table).toContain("page 1 of 2 (3 versions); next: --page 2");

    const history = await json<RuntimeHistoryItemJson[]>(
      "runtime",
      "history",
      "cloud://pre-k8s/project/mnist/runtime/third",
    );
    expect(history).toEqual([expect.objectContaining({ version: demo, tags: ["latest", "v0", "t1", "t2"] })]);

    const info = await json<RuntimeInfoJson>(
      "runtime",
      "info",
      "cloud://pre-k8s/project/mnist/runtime/mnist-cloud/version/v0",
      "-of",
      "all",
    );
    expect(info.basic).toMatchObject({ name: "mnist-cloud", version: demo, mode: "venv", bundle_path: null });
    expect(info.manifest).toMatchObject({ version: demo });
    expect(Object.keys(info.lock ?? {})).toEqual([expect.stringMatching(/requirements-sw-lock\.txt$/)]);
    expect(info.runtime_yaml).toContain("name:");

    const consoleUrl = `${server.url}/projects/mnist/runtimes/mnist-cloud/versions/${demo.slice(0, 6)}`;
    const byUrl = ok(await sw("runtime", "info", consoleUrl)).stdout;
    expect(byUrl).toMatch(new RegExp(`^version:\\s+${demo}$`, "m"));
    expect(byUrl).toMatch(/^tags:\s+latest, v0, t1$/m);
  });

  it("tags, removes and recovers, with the server deciding who may", async () => {
    const rt = "cloud://pre-k8s/project/mnist/runtime/third";
    const tagged = await json<RuntimeTagsJson>("runtime", "tag", rt, "gold");
    expect(tagged.tags).toEqual(["latest", "v0", "gold", "t1", "t2"]);
    expect(ok(await sw("runtime", "info", `${rt}/version/gold`)).stdout).toMatch(/^name:\s+third$/m);
    expectOneLineError(await sw("runtime", "tag", rt, "-r", "nope"), /no tag "nope"/);
    expect((await json<RuntimeTagsJson>("runtime", "tag", rt, "-r", "nope", "gold", "-q")).skipped).toEqual([
      "nope",
    ]);

    const removed = ok(await box.swcli(["runtime", "rm", rt], { input: "y\n" }));
    expect(removed.stdout).toContain(`removed third/version/${short}`);
    expectOneLineError(await sw("runtime", "info", rt), /no runtime named "third"/);
    const shown = await json<RuntimeListItemJson[]>(
      "runtime",
      "list",
      "-p",
      "cloud://pre-k8s/project/mnist",
      "-sr",
    );
    expect(shown.find((r) => r.name === "third")).toMatchObject({ removed: true });
    // maria owns mnist (she created it), so she may recover there.
    expect(ok(await sw("runtime", "recover", rt)).stdout).toBe(`recovered third/version/${short}\n`);
    // In demo she is a maintainer: recovering is for owners.
    ok(await box.swcli(["runtime", "rm", "cloud://pre-k8s/project/demo/runtime/copied", "-y"]));
    expectOneLineError(
      await sw("runtime", "recover", "cloud://pre-k8s/project/demo/runtime/copied"),
      /owner/i,
    );
  });

  it("the guest reads but can't change anything; a private project is not found to outsiders", async () => {
    const g = (...args: string[]) => guestBox.swcli(args);
    ok(
      await sw(
        "runtime",
        "cp",
        "cloud://pre-k8s/project/mnist/runtime/mnist-local",
        "cloud://pre-k8s/project/demo/kept",
      ),
    );
    expect(ok(await g("runtime", "history", "cloud://hub/project/demo/runtime/kept")).stdout).toContain(
      short,
    );
    expectOneLineError(
      await g("runtime", "tag", "cloud://hub/project/demo/runtime/kept", "x"),
      /maintainer|permission|not allowed/i,
    );
    expectOneLineError(
      await g("runtime", "rm", "cloud://hub/project/demo/runtime/kept", "-y"),
      /maintainer|permission|not allowed/i,
    );
    expectOneLineError(await g("runtime", "info", "cloud://hub/project/mnist/runtime/third"), /not found/i);
  });
});

describe("a token that stopped working", () => {
  it("says to log in again", async () => {
    await server.db.db.execute("update api_tokens set revoked_at = now()");
    const run = await sw("runtime", "list", "-p", "cloud://pre-k8s/project/mnist");
    expectOneLineError(run, /^error: pre-k8s: The API token is invalid, expired or revoked$/);
    expect(run.stderr).toContain(`hint: log in again: swcli instance login ${server.url} --alias pre-k8s\n`);
    expect(readdirSync(box.home)).toContain("config");
  });
});
