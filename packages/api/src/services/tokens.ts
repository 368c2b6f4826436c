import { createHash, randomBytes } from "node:crypto";

/** A random secret for a cookie or an API token: 32 bytes, base64url. */
export function generateToken(prefix = ""): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** Tokens are stored only as their sha256, so a leaked table gives no usable credential. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
