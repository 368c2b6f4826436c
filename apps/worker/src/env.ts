import { z } from "zod";

const concurrency = z.coerce.number().int().min(1).max(64);
const seconds = z.coerce
  .number()
  .positive()
  .max(7 * 24 * 3600);

/** The worker's settings. Nothing else in the worker reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  SW_QUEUE_PREFIX: z.string().min(1).default("swhub"),
  /** Blobs are read and written where the web app keeps them: `$SW_BLOB_DIR`, else `$DATA_DIR/blobs`. */
  DATA_DIR: z.string().min(1).default("./.data"),
  SW_BLOB_DIR: z.string().min(1).optional(),
  /** Where runs get their work directories (build contexts, venvs, bundles); default: the temp directory. */
  SW_WORK_DIR: z.string().min(1).optional(),
  /** How many jobs of each queue one worker process runs at once. Builds and images are heavy. */
  SW_CONCURRENCY_BUILDS: concurrency.default(1),
  SW_CONCURRENCY_IMAGES: concurrency.default(1),
  SW_CONCURRENCY_MAINTENANCE: concurrency.default(1),
  /** Time limit of one build run (default: the catalog's hour). */
  SW_BUILD_TIMEOUT_SECONDS: seconds.optional(),
  /** The index server builds install from (pip's `--index-url`). */
  SW_BUILD_INDEX_URL: z.string().url().optional(),
  /** Directories or URLs of wheels builds install from (pip's `--find-links`), space separated. */
  SW_BUILD_FIND_LINKS: z.string().min(1).optional(),
  /** The registry images are pushed to, `host[:port][/namespace]`; unset, image jobs fail saying so. */
  SW_REGISTRY: z.string().trim().min(1).optional(),
  /** Its account (else the Docker config under DOCKER_CONFIG or ~/.docker, else anonymous). */
  SW_REGISTRY_USER: z.string().min(1).optional(),
  SW_REGISTRY_PASSWORD: z.string().min(1).optional(),
  /** `1`/`true`: speak plain http to SW_REGISTRY (a registry on a private network or loopback). */
  SW_REGISTRY_INSECURE: z
    .enum(["1", "0", "true", "false", "yes", "no", ""])
    .default("")
    .transform((v) => ["1", "true", "yes"].includes(v)),
  /** The base image of every image (replaces the runtime's own and the builtin choice). */
  SW_BASE_IMAGE: z.string().trim().min(1).optional(),
  /** The base image's Python, e.g. /usr/bin/python3.11, when it cannot be found by looking. */
  SW_BASE_PYTHON: z.string().trim().min(1).optional(),
  /** Where image layers are kept between jobs; default <SW_WORK_DIR or temp>/swhub-dockerize-cache. */
  SW_IMAGE_CACHE_DIR: z.string().min(1).optional(),
  /** The most the image cache keeps, in GiB; the least recently used blobs go first (not those of running jobs). */
  SW_IMAGE_CACHE_MAX_GB: z.coerce.number().nonnegative().default(20),
  /** Time limit of one image run (default: the catalog's hour). */
  SW_IMAGE_TIMEOUT_SECONDS: seconds.optional(),
  /** How long a job stays locked to a worker that stopped answering (BullMQ's lock), and a run's claim. */
  SW_JOB_LOCK_SECONDS: seconds.default(30),
  /** How often the reconciler looks for lost claims and jobs Redis forgot. */
  SW_RECONCILE_SECONDS: seconds.default(15),
});
export type Env = z.infer<typeof envSchema>;

/** Parses the settings, or throws one line that names the bad one. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid setting ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** The environment handed on to the processes builds start (PATH, CONDA_EXE, locale); the rest is set per run. */
export function inheritedEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
