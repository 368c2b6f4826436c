import { z } from "zod";

/**
 * The job catalog: one typed contract shared by the web app (which enqueues) and the worker (which handles).
 * Few queues split by workload, many job names. A job's BullMQ id is `job-<jobs row id>` (bullJobId in
 * @swhub/api/queue), so a retried enqueue with the same request id is deduplicated.
 */
export const queueNames = ["builds", "images", "maintenance"] as const;
export type QueueName = (typeof queueNames)[number];

const sha256Schema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex digits>");

const jobBaseSchema = z.object({
  /** The `jobs` row this run reports to. */
  jobId: z.string().min(1),
  /** Client-chosen idempotency key: the same request id gives one job and one version. */
  requestId: z.string().min(1).max(200),
  projectId: z.string().min(1),
  /** The user who asked; the resulting version is theirs. */
  createdBy: z.string().min(1),
});

export const runtimeBuildPayloadSchema = jobBaseSchema.extend({
  runtimeName: z.string().min(1),
  source: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("yaml"),
      /** A tar of the build context (runtime.yaml, requirements files, wheels, native files) in the blob store. */
      contextDigest: sha256Schema,
      yamlPath: z.string().default("runtime.yaml"),
    }),
    z.object({ kind: z.literal("docker"), image: z.string().min(1) }),
  ]),
  tags: z.array(z.string()).default([]),
  disableEnvLock: z.boolean().default(false),
});
export type RuntimeBuildPayload = z.infer<typeof runtimeBuildPayloadSchema>;

/** An OCI tag: what follows `:` in `registry/repo:tag`. */
export const imageTagSchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    "an image tag is letters, digits, _ . - (up to 128), e.g. v3",
  );
export const imagePlatforms = ["amd64", "arm64"] as const;

export const runtimeDockerizePayloadSchema = jobBaseSchema.extend({
  runtimeVersionId: z.string().min(1),
  /** For lists and logs; the version row is the truth. */
  runtimeName: z.string().optional(),
  version: z.string().optional(),
  /**
   * Image tags (not references): the worker pushes `<SW_REGISTRY>/<project>/<runtime>:<tag>` for each, so a job
   * can only push to the server's own registry.
   */
  tags: z.array(z.string()).default([]),
  platforms: z
    .array(z.enum(["amd64", "arm64"]))
    .min(1)
    .default(["amd64"]),
  push: z.boolean().default(true),
});
export type RuntimeDockerizePayload = z.infer<typeof runtimeDockerizePayloadSchema>;

export const blobsGcPayloadSchema = z.object({
  olderThanSeconds: z.number().int().nonnegative().default(3600),
});
export type BlobsGcPayload = z.infer<typeof blobsGcPayloadSchema>;

export const jobCatalog = {
  "runtime.build": {
    queue: "builds",
    payload: runtimeBuildPayloadSchema,
    options: { attempts: 2, backoff: { type: "exponential", delay: 2_000 } },
    timeoutMs: 60 * 60_000,
  },
  "runtime.dockerize": {
    queue: "images",
    payload: runtimeDockerizePayloadSchema,
    options: { attempts: 2, backoff: { type: "exponential", delay: 2_000 } },
    timeoutMs: 60 * 60_000,
  },
  "blobs.gc": {
    queue: "maintenance",
    payload: blobsGcPayloadSchema,
    options: { attempts: 1 },
    timeoutMs: 10 * 60_000,
  },
} as const satisfies Record<
  string,
  {
    queue: QueueName;
    payload: z.ZodType;
    options: { attempts: number; backoff?: { type: "exponential" | "fixed"; delay: number } };
    timeoutMs: number;
  }
>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.input<(typeof jobCatalog)[N]["payload"]>;
export type ParsedJobPayload<N extends JobName> = z.output<(typeof jobCatalog)[N]["payload"]>;
export const jobNames = Object.keys(jobCatalog) as JobName[];

export function jobsOfQueue(queue: QueueName): JobName[] {
  return jobNames.filter((name) => jobCatalog[name].queue === queue);
}

/** Job lifecycle states as stored in the `jobs` table and shown to users. */
export const jobStates = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobState = (typeof jobStates)[number];

/** Phases a build reports, in order. Dockerize reports its own subset. */
export const buildPhases = ["prepare", "resolve", "install", "lock", "pack", "publish"] as const;
export const dockerizePhases = ["prepare", "base", "layers", "push"] as const;

/** States after which a job does nothing more (until a retry makes a failed or cancelled job queued again). */
export const finalJobStates = ["succeeded", "failed", "cancelled"] as const satisfies readonly JobState[];
export function isFinalJobState(state: JobState): boolean {
  return (finalJobStates as readonly JobState[]).includes(state);
}

const logStreams = ["stdout", "stderr", "engine"] as const;
export type LogStream = (typeof logStreams)[number];

/**
 * One event on a job's stream (SSE, and `job_logs` rows). `seq` starts at 1 and is gap-free per job, so a client
 * resumes from the last one it saw (`Last-Event-ID`) and knows it missed nothing. `at` is an ISO timestamp.
 *
 * - `phase`: a phase starts (`buildPhases` for builds); its progress restarts at 0.
 * - `progress`: percent done within the current phase.
 * - `log`: one line of output (pip's, the engine's notices); a job's whole log is kept.
 * - `state`: the job's state changed; `reason` says why it failed or was cancelled, `result` what it made.
 */
export const jobEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("phase"), seq: z.number().int(), at: z.string(), phase: z.string() }),
  z.object({
    type: z.literal("progress"),
    seq: z.number().int(),
    at: z.string(),
    phase: z.string(),
    percent: z.number().min(0).max(100),
    bytes: z.number().int().nonnegative().optional(),
    totalBytes: z.number().int().nonnegative().optional(),
  }),
  z.object({
    type: z.literal("log"),
    seq: z.number().int(),
    at: z.string(),
    line: z.string(),
    stream: z.enum(logStreams),
  }),
  z.object({
    type: z.literal("state"),
    seq: z.number().int(),
    at: z.string(),
    state: z.enum(jobStates),
    reason: z.string().optional(),
    result: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;

type WithoutStamp<T> = T extends unknown ? Omit<T, "seq" | "at"> : never;
/** An event as a reporter hands it in; the writer stamps `seq` and `at`. */
export type JobEventInput = WithoutStamp<JobEvent>;

/** The build a client asks for (`job.submitBuild`): a build context uploaded as a blob, or an image. */
export const submitBuildInputSchema = z.object({
  /** Project name or id; the caller needs the maintainer role there. */
  project: z.string().trim().min(1).max(200),
  runtimeName: z.string().trim().min(1).max(200),
  source: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("yaml"),
      /** A tar (optionally gzipped) of runtime.yaml, its requirement files and wheels, uploaded to the project. */
      contextDigest: sha256Schema,
      /** runtime.yaml's path inside the context. */
      yamlPath: z.string().trim().min(1).max(1000).default("runtime.yaml"),
    }),
    z.object({ kind: z.literal("docker"), image: z.string().trim().min(1).max(500) }),
  ]),
  tags: z.array(z.string().trim().min(1)).max(100).default([]),
  disableEnvLock: z.boolean().default(false),
  /** Idempotency key chosen by the client: submitting the same one again answers the same job. */
  requestId: z.string().trim().min(1).max(200),
});
export type SubmitBuildInput = z.input<typeof submitBuildInputSchema>;

/** An image of a runtime version a client asks for (`job.submitDockerize`), pushed to the server's registry. */
export const submitDockerizeInputSchema = z.object({
  /** Project name or id; the caller needs the maintainer role there. */
  project: z.string().trim().min(1).max(200),
  runtimeName: z.string().trim().min(1).max(200),
  /** A version id, unique prefix, tag, `vN` or `latest`. */
  version: z.string().trim().min(1).max(200),
  /** Image tags besides the version id and its `vN`, which every image gets. */
  tags: z.array(imageTagSchema).max(20).default([]),
  platforms: z.array(z.enum(imagePlatforms)).min(1).max(2).default(["amd64"]),
  /** Idempotency key chosen by the client: submitting the same one again answers the same job. */
  requestId: z.string().trim().min(1).max(200),
});
export type SubmitDockerizeInput = z.input<typeof submitDockerizeInputSchema>;
