import type { Database } from "@swhub/db/client";
import { type Authentication, authenticate } from "../auth";

/**
 * Who sent a request to the compatibility routes. Starwhale's client sends `Authorization: <token>` exactly as it
 * stored it: what our login answered (`Bearer swh_…`), or, after `swcli instance login --token T`, the bare token a
 * user created in the console. Both name the same API token, so a bare value is read as `Bearer <value>`. Sessions
 * (the console's cookie) work as everywhere else.
 */
export async function authenticateCompat(
  db: Database,
  headers: Headers,
): Promise<Authentication & { apiToken?: string }> {
  const value = headers.get("authorization")?.trim();
  if (!value) return authenticate(db, headers);
  const token = /^Bearer\s+(.+)$/i.exec(value)?.[1]?.trim() ?? value;
  const normalized = new Headers(headers);
  normalized.set("authorization", `Bearer ${token}`);
  const auth = await authenticate(db, normalized);
  return auth.user ? { ...auth, apiToken: token } : auth;
}
