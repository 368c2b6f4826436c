import type { Database } from "@swhub/db/client";
import { apiTokens, users } from "@swhub/db/schema";
import { invalidInput } from "@swhub/shared/errors";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { generateToken, hashToken } from "./tokens";
import { type SessionUser, toSessionUser } from "./users";

/** Every API token starts with this, so a leaked one is easy to recognise (and to scan for). */
export const apiTokenPrefix = "swh_";

export async function createApiToken(
  db: Database,
  input: { userId: string; name: string; expiresAt?: Date },
): Promise<{ id: string; token: string; prefix: string }> {
  const name = input.name.trim();
  if (!name) throw invalidInput("A token needs a name", "name it after where it is used, e.g. 'laptop'");
  const token = generateToken(apiTokenPrefix);
  const prefix = token.slice(0, apiTokenPrefix.length + 6);
  const [row] = await db
    .insert(apiTokens)
    .values({
      userId: Number(input.userId),
      name,
      tokenHash: hashToken(token),
      prefix,
      expiresAt: input.expiresAt,
    })
    .returning({ id: apiTokens.id });
  return { id: String(row!.id), token, prefix };
}

/** The owner of a token that is neither revoked nor expired, or null. Records when it was last used. */
export async function getApiTokenUser(db: Database, token: string): Promise<SessionUser | null> {
  const now = new Date();
  const [row] = await db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .from(users)
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        eq(users.id, apiTokens.userId),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    )
    .returning({ id: users.id, name: users.name, isAdmin: users.isAdmin });
  return row ? toSessionUser(row) : null;
}

export async function revokeApiToken(
  db: Database,
  input: { userId: string; tokenId: string },
): Promise<void> {
  await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, Number(input.tokenId)), eq(apiTokens.userId, Number(input.userId))));
}
