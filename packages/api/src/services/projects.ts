import type { Database } from "@swhub/db/client";
import { type ProjectRole, projectMembers, projects, users } from "@swhub/db/schema";
import { conflict } from "@swhub/shared/errors";
import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import type { SessionUser } from "./users";

export interface ProjectSummary {
  id: string;
  name: string;
  isPublic: boolean;
  owner: { id: string; name: string };
  /** The caller's role, or null when they see the project because it is public or they are an admin. */
  role: ProjectRole | null;
  createdAt: Date;
}

/** Creates a project and makes its creator the owner, in one transaction. */
export async function createProject(
  db: Database,
  input: { name: string; ownerId: string; isPublic?: boolean },
): Promise<{ id: string; name: string }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(projects)
      .values({ name: input.name, ownerId: Number(input.ownerId), isPublic: input.isPublic ?? false })
      .onConflictDoNothing({ target: projects.name })
      .returning({ id: projects.id, name: projects.name });
    if (!row) throw conflict(`Project "${input.name}" already exists`, "choose another name");
    await tx
      .insert(projectMembers)
      .values({ projectId: row.id, userId: Number(input.ownerId), role: "owner" });
    return { id: String(row.id), name: row.name };
  });
}

/** The projects a user can see: theirs, public ones, and (for admins) all. Removed projects are left out. */
export async function listProjects(db: Database, input: { user: SessionUser }): Promise<ProjectSummary[]> {
  const userId = Number(input.user.id);
  const rows = await db
    .select({
      id: projects.id,
      name: projects.name,
      isPublic: projects.isPublic,
      createdAt: projects.createdAt,
      ownerId: users.id,
      ownerName: users.name,
      role: projectMembers.role,
    })
    .from(projects)
    .innerJoin(users, eq(users.id, projects.ownerId))
    .leftJoin(
      projectMembers,
      and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, userId)),
    )
    .where(
      and(
        isNull(projects.removedAt),
        input.user.isAdmin
          ? sql`true`
          : or(eq(projects.isPublic, true), sql`${projectMembers.role} IS NOT NULL`),
      ),
    )
    .orderBy(asc(projects.name));
  return rows.map((row) => ({
    id: String(row.id),
    name: row.name,
    isPublic: row.isPublic,
    owner: { id: String(row.ownerId), name: row.ownerName },
    role: row.role,
    createdAt: row.createdAt,
  }));
}
