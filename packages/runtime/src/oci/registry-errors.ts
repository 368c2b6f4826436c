import { AppError } from "@swhub/shared/errors";
import { z } from "zod";
import type { RegistryResponse } from "./transport";

const errorBodySchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().optional() })).min(1),
});

/** What a request was about, to word the error for the user. */
export interface ErrorContext {
  registry: string;
  repository: string;
  /** e.g. `tag 1.0`, `blob sha256:...`, `upload`. */
  what: string;
}

/** Turns a failed registry response into one clear AppError line, consuming the body. */
export async function registryError(res: RegistryResponse, ctx: ErrorContext): Promise<AppError> {
  const text = await res.body.text().catch(() => "");
  let codes: { code: string; message?: string | undefined }[] = [];
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) codes = parsed.data.errors;
  } catch {
    // Not JSON (a proxy's HTML page, or a HEAD without body): the status says enough.
  }
  const code = codes[0]?.code;
  const repo = `${ctx.registry}/${ctx.repository}`;
  if (code === "NAME_UNKNOWN") return new AppError("not_found", `repository ${repo} not found`);
  if (code === "MANIFEST_UNKNOWN" || (res.status === 404 && ctx.what.startsWith("manifest"))) {
    return new AppError("not_found", `${ctx.what.replace(/^manifest /, "")} not found in ${repo}`);
  }
  if (code === "BLOB_UNKNOWN" || (res.status === 404 && ctx.what.startsWith("blob"))) {
    return new AppError("not_found", `${ctx.what} not found in ${repo}`);
  }
  if (code === "DENIED" || res.status === 403) {
    return new AppError("forbidden", `access to ${repo} denied by ${ctx.registry}`, codes[0]?.message);
  }
  if (code === "UNSUPPORTED" || res.status === 405) {
    return new AppError("internal", `${ctx.registry} does not support this operation (${ctx.what})`);
  }
  if (code === "MANIFEST_INVALID" || code === "MANIFEST_BLOB_UNKNOWN" || code === "DIGEST_INVALID") {
    return new AppError(
      "internal",
      `${ctx.registry} rejected ${ctx.what} in ${repo}: ${code} ${codes[0]?.message ?? ""}`.trim(),
    );
  }
  const detail = code
    ? `${code}${codes[0]?.message ? ` (${codes[0].message})` : ""}`
    : text.trim().slice(0, 200);
  return new AppError(
    "internal",
    `${ctx.registry} answered ${res.status} for ${ctx.what} in ${repo}${detail ? `: ${detail}` : ""}`,
  );
}
