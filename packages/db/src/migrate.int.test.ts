import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "./migrate";
import { listConstraints, listTables } from "./schema-inspection";
import { createTestDatabase, type TestDatabase } from "./testing";

describe("migrations on Postgres", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("creates every table", async () => {
    expect(await listTables(t.db)).toEqual([
      "api_tokens",
      "blob_uploads",
      "blobs",
      "job_logs",
      "jobs",
      "project_blobs",
      "project_members",
      "projects",
      "runtime_images",
      "runtime_tags",
      "runtime_versions",
      "runtimes",
      "sessions",
      "users",
    ]);
  });

  it("is a no-op when run again", async () => {
    const before = await listConstraints(t.db);
    await migrate(t.db);
    expect(await listConstraints(t.db)).toEqual(before);
  });
});
