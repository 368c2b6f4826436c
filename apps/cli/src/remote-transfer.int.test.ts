import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeCopyJson } from "./output/shapes";
import { makeBigBundle } from "./testing/big-bundle";
import { passwordOf, startTestServer, type TestServer } from "./testing/server";
import { buildSwcli, collect, createSandbox, ok, type Sandbox, type SwcliBuild } from "./testing/swcli";

// Moving big bundles: a ~200 MB round trip, an upload killed halfway and resumed, two swcli sending one blob at
// once, and a copy between two servers. Real swcli processes, real servers on loopback, real Postgres.

let server: TestServer;
let other: TestServer;
let build: SwcliBuild;
let box: Sandbox;
let big: { path: string; version: string; size: number };

const sw = (...args: string[]) => box.swcli(args);
const json = async <T>(...args: string[]): Promise<T> =>
  JSON.parse(ok(await sw("-o", "json", ...args)).stdout) as T;

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const bundleIn = (project: string, name: string, version: string) =>
  join(box.storage, project, "runtime", name, version.slice(0, 2), `${version}.swrt`);

async function uploadOffset(): Promise<number> {
  const rows = (await server.db.db.execute(`select "offset"::bigint as o from blob_uploads`)) as unknown as {
    o: string;
  }[];
  return Math.max(0, ...rows.map((r) => Number(r.o)));
}

beforeAll(async () => {
  [server, other, build] = await Promise.all([startTestServer(), startTestServer(), buildSwcli()]);
  box = await createSandbox(build.entry);
  for (const [alias, s] of [
    ["hub", server],
    ["far", other],
  ] as const) {
    ok(
      await sw(
        "instance",
        "login",
        s.url,
        "--alias",
        alias,
        "--username",
        "admin",
        "--password",
        passwordOf("admin"),
      ),
    );
  }
  ok(await sw("instance", "select", "local"));
  big = await makeBigBundle(box.home, 200);
  await box.placeBundle("self", "big", big.version, big.path);
}, 180_000);

afterAll(async () => {
  await box?.cleanup();
  await build?.remove();
  await server?.close();
  await other?.close();
});

describe("a ~200 MB runtime", () => {
  it("resumes an upload killed halfway without sending again what arrived", async () => {
    const child = box.start(["runtime", "cp", "big", "cloud://hub/project/demo"]);
    const done = collect(child);
    let offset = 0;
    while (offset < 40 << 20) {
      await sleep(20);
      offset = await uploadOffset();
      if (child.exitCode !== null)
        throw new Error(`swcli ended before it was killed: ${(await done).stderr}`);
    }
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.code).toBeNull();
    expect(killed.stderr).not.toContain("upload: done");
    // The server keeps what arrived, also of the chunk that was cut off.
    await sleep(300);
    const kept = await uploadOffset();
    expect(kept).toBeGreaterThanOrEqual(offset);
    expect(kept).toBeLessThan(big.size);

    const resumed = ok(await sw("runtime", "cp", "big", "cloud://hub/project/demo"));
    const from = Number(/resuming the upload at byte (\d+) of/.exec(resumed.stderr)?.[1]);
    expect(from).toBeGreaterThanOrEqual(kept);
    expect(resumed.stdout).toBe(`copied demo/big/version/${big.version.slice(0, 12)}\n`);
    expect(await uploadOffset()).toBe(0); // the upload was finished, its row is gone
  }, 180_000);

  it("comes back byte-identical; a second copy of the version sends no blob bytes", async () => {
    const back = ok(await sw("runtime", "cp", "cloud://hub/project/demo/runtime/big", "big-back"));
    expect(back.stderr).toMatch(/^download: done \(200(\.\d)? MiB/m);
    expect(await sha256(bundleIn("self", "big-back", big.version))).toBe(await sha256(big.path));

    const again = await json<RuntimeCopyJson>("runtime", "cp", "big", "cloud://hub/project/demo/big-again");
    expect(again.status).toBe("copied");
    const run = ok(await sw("runtime", "cp", "big", "cloud://hub/project/demo/big-third"));
    expect(run.stderr).not.toMatch(/^upload: /m);
  }, 180_000);

  it("copies from one server to another (download, then upload), then to the first again with -f", async () => {
    const run = await json<RuntimeCopyJson>(
      "runtime",
      "cp",
      "cloud://hub/project/demo/runtime/big",
      "cloud://far/project/demo",
    );
    expect(run).toMatchObject({ status: "copied", version: big.version });
    const blobs = await readdir(other.blobDir, { recursive: true, withFileTypes: true });
    const sizes = await Promise.all(
      blobs.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).size),
    );
    expect(sizes).toContain(big.size);
    const forced = await json<RuntimeCopyJson>(
      "runtime",
      "cp",
      "cloud://far/project/demo/runtime/big",
      "cloud://hub/project/demo",
      "-f",
    );
    expect(forced.status).toBe("overwritten");
    // The part file of the transfer between servers was cleaned up.
    const left = await readdir(join(box.storage, ".tmp", "transfers")).catch(() => []);
    expect(left.filter((f) => !f.startsWith("digest-"))).toEqual([]);
  }, 180_000);
});

describe("two copies of one blob at once", () => {
  it("both succeed and the server keeps one blob", async () => {
    const small = await makeBigBundle(box.home, 48);
    await box.placeBundle("self", "pair", small.version, small.path);
    const [a, b] = await Promise.all([
      sw("runtime", "cp", "pair", "cloud://far/project/demo/pair-a"),
      sw("runtime", "cp", "pair", "cloud://far/project/demo/pair-b"),
    ]);
    ok(a);
    ok(b);
    const list = JSON.parse(
      ok(await sw("-o", "json", "runtime", "list", "-p", "cloud://far/project/demo", "-fl", "name=pair"))
        .stdout,
    );
    expect(list.map((r: { name: string; version: string }) => [r.name, r.version])).toEqual([
      ["pair-a", small.version],
      ["pair-b", small.version],
    ]);
    ok(await sw("runtime", "cp", "cloud://far/project/demo/runtime/pair-b", "pair-back"));
    expect(await sha256(bundleIn("self", "pair-back", small.version))).toBe(await sha256(small.path));
  }, 180_000);
});
