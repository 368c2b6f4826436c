import type { Database } from "@swhub/db/client";
import { sessions, users } from "@swhub/db/schema";
import { and, eq, gt } from "drizzle-orm";
import { generateToken, hashToken } from "./tokens";
import { type SessionUser, toSessionUser } from "./users";

export const sessionCookieName = "sw_session";
export const sessionLifetimeMs = 30 * 24 * 60 * 60 * 1000;

/** Starts a session; the token goes into the `sw_session` cookie and only its hash is stored. */
export async function createSession(
  db: Database,
  input: { userId: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(Date.now() + sessionLifetimeMs);
  await db.insert(sessions).values({ id: hashToken(token), userId: Number(input.userId), expiresAt });
  return { token, expiresAt };
}

/** The user of a live session, or null when the token is unknown or expired. */
export async function getSessionUser(db: Database, token: string): Promise<SessionUser | null> {
  const [row] = await db
    .select({ id: users.id, name: users.name, isAdmin: users.isAdmin })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, hashToken(token)), gt(sessions.expiresAt, new Date())));
  return row ? toSessionUser(row) : null;
}

export async function deleteSession(db: Database, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, hashToken(token)));
}
