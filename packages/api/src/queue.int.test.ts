import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, expect, it } from "vitest";
import { createEnqueuer, createRedis } from "./queue";

const redisUrl = process.env.SW_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `swhub-test-${randomBytes(4).toString("hex")}`;
const connection = createRedis(redisUrl, "producer");
const enqueuer = createEnqueuer(connection, prefix);

afterAll(async () => {
  const builds = new Queue("builds", { connection, prefix });
  await builds.obliterate({ force: true });
  await builds.close();
  await enqueuer.close();
  connection.disconnect();
});

const payload = {
  jobId: "42",
  requestId: "req-1",
  projectId: "1",
  createdBy: "1",
  runtimeName: "mnist",
  source: { kind: "docker" as const, image: "python:3.11" },
};

it("adds a job to its catalog queue once per jobs-row id, with the catalog's options", async () => {
  const first = await enqueuer.enqueue("runtime.build", payload);
  const second = await enqueuer.enqueue("runtime.build", payload);
  expect(first.id).toBe("job-42");
  expect(second.id).toBe("job-42");

  const builds = new Queue("builds", { connection, prefix });
  try {
    const jobs = await builds.getJobs(["waiting"]);
    expect(jobs.map((j) => [j.name, j.id, j.opts.attempts])).toEqual([["runtime.build", "job-42", 2]]);
    // Defaults from the payload schema are filled in before the job is stored.
    expect(jobs[0]!.data).toMatchObject({ tags: [], disableEnvLock: false });
  } finally {
    await builds.close();
  }
});

it("refuses a payload that does not match the catalog, naming the job", async () => {
  await expect(
    enqueuer.enqueue("runtime.dockerize", {
      ...payload,
      runtimeVersionId: "",
      platforms: ["s390x" as "amd64"],
    }),
  ).rejects.toMatchObject({
    code: "invalid_input",
    message: expect.stringMatching(/^Invalid runtime.dockerize job: /),
  });
});
