import { z } from "zod";

const concurrency = z.coerce.number().int().min(1).max(64);

/** The worker's settings. Nothing else in the worker reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  SW_QUEUE_PREFIX: z.string().min(1).default("swhub"),
  /** How many jobs of each queue one worker process runs at once. Builds and images are heavy. */
  SW_CONCURRENCY_BUILDS: concurrency.default(1),
  SW_CONCURRENCY_IMAGES: concurrency.default(1),
  SW_CONCURRENCY_MAINTENANCE: concurrency.default(1),
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
