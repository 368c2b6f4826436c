import { z } from "zod";

// An empty variable (`DATABASE_URL= pnpm start`) means "not set".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

/** `pnpm start`'s settings, all from the environment. */
const settingsSchema = z.object({
  PORT: z.preprocess(
    (value) => (value === "" || value === undefined ? 3000 : Number(value)),
    z.number({ error: "expected a port number" }).int("expected a port number").min(1).max(65535),
  ),
  DATA_DIR: optional(z.string()).transform((dir) => dir ?? "./.data"),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, "expected a postgres:// URL")),
  REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, "expected a redis:// URL")),
  SW_ADMIN_USER: optional(z.string()).transform((name) => name ?? "starwhale"),
  SW_ADMIN_PASSWORD: optional(z.string().min(8, "must have at least 8 characters")),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Parses the settings, or throws one line naming the bad one. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    // URLs and passwords may hold secrets, so only plain settings echo their value.
    const shown = ["PORT", "DATA_DIR", "SW_ADMIN_USER"].includes(name)
      ? `=${JSON.stringify(env[name] ?? "")}`
      : "";
    throw new Error(`invalid setting ${name}${shown}: ${issue.message}`);
  }
  return parsed.data;
}
