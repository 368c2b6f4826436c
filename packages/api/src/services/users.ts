import { randomBytes } from "node:crypto";
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import type { Database } from "@swhub/db/client";
import { users } from "@swhub/db/schema";
import { AppError, conflict, invalidInput } from "@swhub/shared/errors";
import { userNameProblem } from "@swhub/shared/names";
import { eq } from "drizzle-orm";
import { type Actor, requireAdmin } from "./access";

/** The signed-in user, as every surface sees it. */
export interface SessionUser {
  id: string;
  name: string;
  isAdmin: boolean;
}

const argon2id: Algorithm.Argon2id = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: argon2id });
}

export function toSessionUser(row: { id: number; name: string; isAdmin: boolean }): SessionUser {
  return { id: String(row.id), name: row.name, isAdmin: row.isAdmin };
}

export async function createUser(
  db: Database,
  input: { name: string; password: string; isAdmin?: boolean },
): Promise<SessionUser> {
  const problem = userNameProblem(input.name);
  if (problem) throw invalidInput(problem);
  if (input.password.length < 8) throw invalidInput("The password must have at least 8 characters");
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ name: input.name, passwordHash, isAdmin: input.isAdmin ?? false })
    .onConflictDoNothing({ target: users.name })
    .returning();
  if (!row) throw conflict(`User "${input.name}" already exists`);
  return toSessionUser(row);
}

/** An administrator creates an account for someone (there is no self sign-up). */
export async function createUserAsAdmin(
  db: Database,
  input: { user: Actor; name: string; password: string; isAdmin?: boolean },
): Promise<SessionUser> {
  requireAdmin(input.user);
  return createUser(db, { name: input.name, password: input.password, isAdmin: input.isAdmin });
}

// Checked against when the user does not exist, so a wrong name takes as long as a wrong password.
let decoyHash: Promise<string> | undefined;

/** Returns the user when the password is right; otherwise one error that doesn't say which part was wrong. */
export async function verifyPassword(
  db: Database,
  input: { name: string; password: string },
): Promise<SessionUser> {
  const [row] = await db.select().from(users).where(eq(users.name, input.name));
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  const ok = await verify(row?.passwordHash ?? (await decoyHash), input.password);
  if (!row || !ok) throw new AppError("unauthenticated", "Wrong user name or password");
  return toSessionUser(row);
}

/**
 * Makes sure the admin account exists. On first start it is created with `password`, or with a
 * generated one that is returned so it can be printed once. An existing account keeps its password.
 */
export async function ensureAdmin(
  db: Database,
  input: { name: string; password?: string },
): Promise<{ user: SessionUser; created: boolean; password?: string }> {
  const [existing] = await db
    .update(users)
    .set({ isAdmin: true })
    .where(eq(users.name, input.name))
    .returning();
  if (existing) return { user: toSessionUser(existing), created: false };
  const password = input.password ?? randomBytes(12).toString("base64url");
  const user = await createUser(db, { name: input.name, password, isAdmin: true });
  return { user, created: true, password };
}
