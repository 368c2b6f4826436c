import type { Database } from "@swhub/db/client";
import { readCookie } from "./cookies";
import { getApiTokenUser } from "./services/api-tokens";
import { getSessionUser, sessionCookieName } from "./services/sessions";
import type { SessionUser } from "./services/users";

export interface Authentication {
  user: SessionUser | null;
  sessionToken?: string;
  /** Why there is no user although credentials were sent: a bad API token or an expired session. */
  authProblem?: "token" | "session";
}

/**
 * Who sent a request: `Authorization: Bearer <api token>` (swcli, CI) or the `sw_session` cookie (the browser).
 * Used by tRPC and the plain HTTP routes alike.
 */
export async function authenticate(db: Database, headers: Headers): Promise<Authentication> {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1]?.trim();
  if (bearer) {
    const user = await getApiTokenUser(db, bearer);
    return user ? { user } : { user: null, authProblem: "token" };
  }
  const sessionToken = readCookie(headers.get("cookie"), sessionCookieName);
  if (!sessionToken) return { user: null };
  const user = await getSessionUser(db, sessionToken);
  return user ? { user, sessionToken } : { user: null, sessionToken, authProblem: "session" };
}
