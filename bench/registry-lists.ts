// Server time of the registry's lists with 10,000 versions over 200 runtimes in one project (plus another project
// of the same size, so indexes must select by project). Seeds a fresh test database, then times each service call
// end to end in this process (database round trips included). Run: pnpm tsx bench/registry-lists.ts [--runs 21]
import { parseArgs } from "node:util";
import { createProject } from "@swhub/api/services/projects";
import { getVersionInfo } from "@swhub/api/services/runtime-info";
import { listHistory, listRuntimes, listVersions } from "@swhub/api/services/runtime-lists";
import { createUser } from "@swhub/api/services/users";
import { blobs, projectBlobs, runtimes, runtimeTags, runtimeVersions } from "@swhub/db/schema";
import { createTestDatabase } from "@swhub/db/testing";
import { generateVersionId } from "@swhub/shared/version-id";
import postgres from "postgres";

const { values } = parseArgs({ options: { runs: { type: "string", default: "21" } } });
const runs = Number(values.runs);
const runtimeCount = 200;
const perRuntime = 50;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const t = await createTestDatabase();
try {
  const user = await createUser(t.db, { name: "bench", password: "password-bench" });
  const digest = `sha256:${"ab".repeat(32)}`;
  await t.db.insert(blobs).values({ digest, size: 123_456 });
  for (const name of ["big", "neighbour"]) {
    const project = await createProject(t.db, { name, ownerId: user.id });
    await t.db.insert(projectBlobs).values({ projectId: Number(project.id), digest });
    const rows = await t.db
      .insert(runtimes)
      .values(
        Array.from({ length: runtimeCount }, (_, i) => ({
          projectId: Number(project.id),
          name: `rt-${String(i).padStart(3, "0")}`,
          ownerId: Number(user.id),
          nextAliasSeq: perRuntime,
        })),
      )
      .returning({ id: runtimes.id });
    for (const runtime of rows) {
      const versions = await t.db
        .insert(runtimeVersions)
        .values(
          Array.from({ length: perRuntime }, (_, seq) => ({
            runtimeId: runtime.id,
            version: generateVersionId(),
            aliasSeq: seq,
            manifest: { version: "x" },
            bundleDigest: digest,
            bundleSize: 1000 + seq,
            files: Array.from({ length: 20 }, (_, f) => ({ path: `file-${f}`, size: f })),
            createdBy: Number(user.id),
            createdAt: new Date(Date.now() - (perRuntime - seq) * 60_000),
            // Every tenth version is removed.
            removedAt: seq % 10 === 5 ? new Date() : null,
          })),
        )
        .returning({ id: runtimeVersions.id });
      await t.db
        .insert(runtimeTags)
        .values(
          versions.slice(0, 3).map((v, i) => ({ runtimeId: runtime.id, versionId: v.id, tag: `tag-${i}` })),
        );
    }
  }
  const admin = postgres(t.url, { max: 1 });
  await admin`ANALYZE`;
  await admin.end();

  const actor = user;
  const cases: [string, () => Promise<unknown>][] = [
    [
      "runtime.list (one row per runtime, page 1 of 20, by name)",
      () => listRuntimes(t.db, { user: actor, project: "big" }),
    ],
    [
      "runtime.list (sorted by latest update, page 5)",
      () => listRuntimes(t.db, { user: actor, project: "big", sort: "updated", page: 5 }),
    ],
    [
      "runtime.history (one runtime, page 1)",
      () => listHistory(t.db, { user: actor, project: "big", name: "rt-100" }),
    ],
    [
      "runtime.history (show removed, page 2)",
      () => listHistory(t.db, { user: actor, project: "big", name: "rt-100", showRemoved: true, page: 2 }),
    ],
    [
      "runtime.listVersions (across runtimes, by name)",
      () => listVersions(t.db, { user: actor, project: "big" }),
    ],
    [
      "runtime.listVersions (newest first, page 10)",
      () => listVersions(t.db, { user: actor, project: "big", sort: "created", page: 10 }),
    ],
    [
      "runtime.listVersions (latest only, name prefix)",
      () => listVersions(t.db, { user: actor, project: "big", latest: true, name: "rt-1" }),
    ],
    [
      "runtime.info (by tag)",
      () => getVersionInfo(t.db, { user: actor, project: "big", name: "rt-150", version: "tag-1" }),
    ],
  ];
  console.log(
    `${runtimeCount * perRuntime} versions over ${runtimeCount} runtimes per project; median of ${runs} runs`,
  );
  for (const [name, run] of cases) {
    await run();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await run();
      samples.push(performance.now() - start);
    }
    console.log(`${median(samples).toFixed(1).padStart(7)} ms  ${name}`);
  }
} finally {
  await t.drop();
}
