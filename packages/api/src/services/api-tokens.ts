import type { Database } from "@swhub/db/client";
import { apiTokens, users } from "@swhub/db/schema";
import { invalidInput, notFound } from "@swhub/shared/errors";
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { type Actor, requireUser } from "./access";
import { generateToken, hashToken } from "./tokens";
import { type SessionUser, toSessionUser } from "./users";

/** Every API token starts with this, so a leaked one is easy to recognise (and to scan for). */
export const apiTokenPrefix = "swh_";

export interface ApiTokenInfo {
  id: string;
  name: string;
  /** The first characters of the secret, to tell tokens apart. */
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  state: "active" | "expired" | "revoked";
}

/** A new token: the secret is in `token`, shown this once and stored only as its hash. */
export interface CreatedApiToken extends ApiTokenInfo {
  token: string;
}

export async function createApiToken(
  db: Database,
  input: { userId: string; name: string; expiresAt?: Date | null },
): Promise<CreatedApiToken> {
  const name = input.name.trim();
  if (!name) throw invalidInput("A token needs a name", "name it after where it is used, e.g. 'laptop'");
  if (name.length > 100) throw invalidInput("A token name has at most 100 characters");
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw invalidInput("The expiry time is in the past", "give a time in the future, or none");
  }
  const token = generateToken(apiTokenPrefix);
  const prefix = token.slice(0, apiTokenPrefix.length + 6);
  const [row] = await db
    .insert(apiTokens)
    .values({
      userId: Number(input.userId),
      name,
      tokenHash: hashToken(token),
      prefix,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  return { ...toInfo(row!), token };
}

/** The caller creates a token for themselves (for swcli or CI). */
export function createOwnApiToken(
  db: Database,
  input: { user: Actor; name: string; expiresAt?: Date | null },
): Promise<CreatedApiToken> {
  const user = requireUser(input.user);
  return createApiToken(db, { userId: user.id, name: input.name, expiresAt: input.expiresAt });
}

function toInfo(row: typeof apiTokens.$inferSelect): ApiTokenInfo {
  const state = row.revokedAt
    ? "revoked"
    : row.expiresAt && row.expiresAt.getTime() <= Date.now()
      ? "expired"
      : "active";
  return {
    id: String(row.id),
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    state,
  };
}

/** The caller's tokens, newest first, without their secrets. */
export async function listApiTokens(db: Database, input: { user: Actor }): Promise<ApiTokenInfo[]> {
  const user = requireUser(input.user);
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, Number(user.id)))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  return rows.map(toInfo);
}

/**
 * The owner of a token that is neither revoked nor expired, or null. Records when it was last used, to the minute:
 * a busy client (an upload sends a request per chunk) doesn't write a row per request.
 */
export async function getApiTokenUser(db: Database, token: string): Promise<SessionUser | null> {
  const now = new Date();
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      id: users.id,
      name: users.name,
      isAdmin: users.isAdmin,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
      ),
    );
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  }
  return toSessionUser(row);
}

/** Revokes one of the caller's tokens; it stops working at once. Revoking twice is fine. */
export async function revokeApiToken(
  db: Database,
  input: { userId: string; tokenId: string },
): Promise<ApiTokenInfo> {
  if (!/^\d{1,15}$/.test(input.tokenId)) throw notFound(`API token ${input.tokenId} not found`);
  const owned = and(eq(apiTokens.id, Number(input.tokenId)), eq(apiTokens.userId, Number(input.userId)));
  await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(owned, isNull(apiTokens.revokedAt)));
  const [row] = await db.select().from(apiTokens).where(owned);
  if (!row) throw notFound(`API token ${input.tokenId} not found`);
  return toInfo(row);
}

export function revokeOwnApiToken(
  db: Database,
  input: { user: Actor; tokenId: string },
): Promise<ApiTokenInfo> {
  const user = requireUser(input.user);
  return revokeApiToken(db, { userId: user.id, tokenId: input.tokenId });
}
