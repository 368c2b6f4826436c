import type { Database } from "@swhub/db/client";
import { type ProjectRole, projectMembers, projects, users } from "@swhub/db/schema";
import { and, eq, inArray, isNull } from "drizzle-orm";

/** What other users may see of a user: who they are and since when. No secrets, no memberships. */
export interface UserProfile {
  id: string;
  name: string;
  isAdmin: boolean;
  createdAt: Date;
}

/** Profiles of users by id (owners and creators shown next to what they made). Unknown ids are left out. */
export async function getUserProfiles(
  db: Database,
  ids: (string | number)[],
): Promise<Map<string, UserProfile>> {
  const unique = [...new Set(ids.map(Number))].filter(Number.isSafeInteger);
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: users.name, isAdmin: users.isAdmin, createdAt: users.createdAt })
    .from(users)
    .where(inArray(users.id, unique));
  return new Map(rows.map((r) => [String(r.id), { ...r, id: String(r.id) }]));
}

/** The user's role in each project they are a member of, by project id. Only the user themself should see it. */
export async function getUserProjectRoles(
  db: Database,
  userId: string,
): Promise<Record<string, ProjectRole>> {
  const rows = await db
    .select({ projectId: projectMembers.projectId, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(and(eq(projectMembers.userId, Number(userId)), isNull(projects.removedAt)));
  return Object.fromEntries(rows.map((r) => [String(r.projectId), r.role]));
}
