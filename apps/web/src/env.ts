import { resolve } from "node:path";
import { z } from "zod";

/** The web app's settings. Nothing else in the app reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  SW_QUEUE_PREFIX: z.string().min(1).default("swhub"),
  /** Where data lives; blobs go to `$DATA_DIR/blobs` unless SW_BLOB_DIR says otherwise. */
  DATA_DIR: z.string().min(1).default("./.data"),
  SW_BLOB_DIR: z.string().min(1).optional(),
  /**
   * The worker's image registry. The console only asks whether one is set, to say why "Build image" is off;
   * neither it nor the worker's credentials ever reach a browser.
   */
  SW_REGISTRY: z.string().trim().optional(),
});
export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/**
 * Parsed on first use rather than at import, because `next build` imports route modules without the
 * runtime settings. A bad value fails the first request with one line naming the setting.
 */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid setting ${issue.path.join(".")}: ${issue.message}`);
  }
  cached = parsed.data;
  return cached;
}

/** Where blobs live: SW_BLOB_DIR, or `$DATA_DIR/blobs`. */
export function blobDirectory(env: Env): string {
  // A run-time setting, not a path for the bundler to trace.
  return resolve(/* turbopackIgnore: true */ env.SW_BLOB_DIR ?? `${env.DATA_DIR}/blobs`);
}
