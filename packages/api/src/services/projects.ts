import type { Database } from "@swhub/db/client";
import { type ProjectRole, projectMembers, projects, runtimes, users } from "@swhub/db/schema";
import { conflict } from "@swhub/shared/errors";
import { assertProjectName } from "@swhub/shared/names";
import { and, asc, count, eq, isNull, like, or, sql } from "drizzle-orm";
import { type Actor, getProjectAccess, requireProjectRole, requireUser } from "./access";
import { type Page, type Paging, pageWindow } from "./paging";

export interface ProjectSummary {
  id: string;
  name: string;
  isPublic: boolean;
  description: string;
  owner: { id: string; name: string };
  /** The caller's role, or null when they see the project because it is public or they are an admin. */
  role: ProjectRole | null;
  createdAt: Date;
}

export interface ProjectDetail extends ProjectSummary {
  /** What the caller may do here: their role, `owner` for admins, `guest` for readers of a public project. */
  access: ProjectRole;
  /** Runtimes that have at least one version not removed. */
  runtimeCount: number;
  memberCount: number;
}

/** Creates a project and makes its creator the owner, in one transaction. */
export async function createProject(
  db: Database,
  input: { name: string; ownerId: string; isPublic?: boolean; description?: string },
): Promise<{ id: string; name: string }> {
  assertProjectName(input.name);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(projects)
      .values({
        name: input.name,
        ownerId: Number(input.ownerId),
        isPublic: input.isPublic ?? false,
        description: input.description ?? "",
      })
      .onConflictDoNothing({ target: projects.name })
      .returning({ id: projects.id, name: projects.name });
    if (!row) throw conflict(`Project "${input.name}" already exists`, "choose another name");
    await tx
      .insert(projectMembers)
      .values({ projectId: row.id, userId: Number(input.ownerId), role: "owner" });
    return { id: String(row.id), name: row.name };
  });
}

/**
 * The projects a caller can see, by name: their own, public ones, and (for admins) all. Anonymous callers see
 * public projects. `name` filters by prefix.
 */
export async function listProjects(
  db: Database,
  input: { user: Actor; name?: string } & Paging,
): Promise<Page<ProjectSummary>> {
  const { page, size, limit, offset } = pageWindow(input);
  const userId = input.user ? Number(input.user.id) : -1;
  const visible = input.user?.isAdmin
    ? sql`true`
    : or(eq(projects.isPublic, true), sql`${projectMembers.role} IS NOT NULL`);
  const rows = await db
    .select({
      id: projects.id,
      name: projects.name,
      isPublic: projects.isPublic,
      description: projects.description,
      createdAt: projects.createdAt,
      ownerId: users.id,
      ownerName: users.name,
      role: projectMembers.role,
      total: sql<number>`count(*) over ()`.mapWith(Number),
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
        visible,
        input.name ? like(projects.name, `${escapeLike(input.name)}%`) : undefined,
      ),
    )
    .orderBy(asc(projects.name))
    .limit(limit)
    .offset(offset);
  return {
    items: rows.map((row) => ({
      id: String(row.id),
      name: row.name,
      isPublic: row.isPublic,
      description: row.description,
      owner: { id: String(row.ownerId), name: row.ownerName },
      role: row.role,
      createdAt: row.createdAt,
    })),
    total: rows[0]?.total ?? (offset > 0 ? await countVisible(db, input.user) : 0),
    page,
    size,
  };
}

async function countVisible(db: Database, user: Actor): Promise<number> {
  return (await listProjects(db, { user, page: 1, size: 1 })).total;
}

/** One project by name or id, for anyone who may read it. */
export async function getProject(
  db: Database,
  input: { user: Actor; project: string },
): Promise<ProjectDetail> {
  const access = await getProjectAccess(db, input.user, input.project);
  const p = access.project;
  const [[owner], [runtimeCount], [memberCount]] = await Promise.all([
    db.select({ name: users.name }).from(users).where(eq(users.id, p.ownerId)),
    db
      .select({ n: count() })
      .from(runtimes)
      .where(and(eq(runtimes.projectId, p.id), isNull(runtimes.removedAt))),
    db.select({ n: count() }).from(projectMembers).where(eq(projectMembers.projectId, p.id)),
  ]);
  return {
    id: String(p.id),
    name: p.name,
    isPublic: p.isPublic,
    description: p.description,
    owner: { id: String(p.ownerId), name: owner?.name ?? "" },
    role: access.memberRole,
    access: access.role,
    createdAt: p.createdAt,
    runtimeCount: runtimeCount?.n ?? 0,
    memberCount: memberCount?.n ?? 0,
  };
}

/** Changes a project's visibility or description. Owners only. */
export async function updateProject(
  db: Database,
  input: { user: Actor; project: string; isPublic?: boolean; description?: string },
): Promise<ProjectDetail> {
  const { project } = await requireProjectRole(db, input.user, input.project, "owner");
  const changes: Partial<typeof projects.$inferInsert> = {};
  if (input.isPublic !== undefined) changes.isPublic = input.isPublic;
  if (input.description !== undefined) changes.description = input.description;
  if (Object.keys(changes).length > 0)
    await db.update(projects).set(changes).where(eq(projects.id, project.id));
  return getProject(db, { user: input.user, project: String(project.id) });
}

/**
 * Deletes a project with its members, runtimes, versions, tags and unfinished uploads. Owners only. The blobs
 * its versions used are freed by the next garbage collection when nothing else refers to them.
 */
export async function removeProject(
  db: Database,
  input: { user: Actor; project: string },
): Promise<{ id: string; name: string }> {
  requireUser(input.user);
  const { project } = await requireProjectRole(db, input.user, input.project, "owner");
  await db.delete(projects).where(eq(projects.id, project.id));
  return { id: String(project.id), name: project.name };
}

/** Escapes `%`, `_` and `\` for a LIKE prefix pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
