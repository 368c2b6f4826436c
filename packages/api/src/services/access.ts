import type { Database } from "@swhub/db/client";
import { type ProjectRole, projectMembers, projects } from "@swhub/db/schema";
import { AppError, forbidden, notFound } from "@swhub/shared/errors";
import { and, eq, isNull } from "drizzle-orm";
import type { SessionUser } from "./users";

/**
 * The one place that decides who may do what in a project. Every service that touches a project calls
 * `requireProjectRole` first.
 *
 * - Admins may do everything.
 * - Public projects are readable by anyone, anonymous callers included; private ones only by members.
 * - guest: read. maintainer: also write (copy in, tag, remove). owner: also manage members, recover, settings.
 * - A project the caller can't read answers `not_found`, exactly as a missing one does, so private projects
 *   are not revealed. A readable project the caller can't write answers `forbidden` (or `unauthenticated`
 *   for an anonymous caller, who should sign in).
 */
export type Actor = SessionUser | null;

const rank: Record<ProjectRole, number> = { guest: 1, maintainer: 2, owner: 3 };

export interface ProjectAccess {
  project: {
    id: number;
    name: string;
    isPublic: boolean;
    description: string;
    ownerId: number;
    createdAt: Date;
  };
  /** The caller's membership role, or null (admin or public reader without membership). */
  memberRole: ProjectRole | null;
  /** What the caller may do: the member role, `owner` for admins, `guest` for readers of a public project. */
  role: ProjectRole;
}

/** Whether a project reference is a numeric id (project names never start with a digit). */
export function isProjectId(ref: string): boolean {
  return /^\d{1,15}$/.test(ref);
}

function projectNotFound(ref: string, actor: Actor): AppError {
  return notFound(
    `Project "${ref}" not found`,
    actor ? "check the name, or ask an owner to add you" : "sign in if it is private",
  );
}

/** Looks a project up by name or id with the caller's membership, or returns undefined. */
async function findProject(db: Database, ref: string, actor: Actor) {
  const userId = actor ? Number(actor.id) : -1;
  const [row] = await db
    .select({
      id: projects.id,
      name: projects.name,
      isPublic: projects.isPublic,
      description: projects.description,
      ownerId: projects.ownerId,
      createdAt: projects.createdAt,
      memberRole: projectMembers.role,
    })
    .from(projects)
    .leftJoin(
      projectMembers,
      and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, userId)),
    )
    .where(
      and(
        isNull(projects.removedAt),
        isProjectId(ref) ? eq(projects.id, Number(ref)) : eq(projects.name, ref),
      ),
    );
  return row;
}

/** The caller's access to a project they may at least read; `not_found` otherwise. */
export async function getProjectAccess(db: Database, actor: Actor, ref: string): Promise<ProjectAccess> {
  const row = await findProject(db, ref, actor);
  if (!row) throw projectNotFound(ref, actor);
  const { memberRole, ...project } = row;
  if (actor?.isAdmin) return { project, memberRole, role: "owner" };
  if (memberRole) return { project, memberRole, role: memberRole };
  if (project.isPublic) return { project, memberRole: null, role: "guest" };
  throw projectNotFound(ref, actor);
}

/** Like getProjectAccess, and the caller must hold at least `needed`. */
export async function requireProjectRole(
  db: Database,
  actor: Actor,
  ref: string,
  needed: ProjectRole,
): Promise<ProjectAccess> {
  const access = await getProjectAccess(db, actor, ref);
  if (rank[access.role] >= rank[needed]) return access;
  if (!actor) throw new AppError("unauthenticated", "Sign in first", `this needs the ${needed} role`);
  throw forbidden(
    `You need the ${needed} role in project "${access.project.name}" for this (you are ${access.role})`,
    "ask an owner of the project",
  );
}

export function requireUser(actor: Actor): SessionUser {
  if (!actor) throw new AppError("unauthenticated", "Sign in first");
  return actor;
}

export function requireAdmin(actor: Actor): SessionUser {
  const user = requireUser(actor);
  if (!user.isAdmin) throw forbidden("Only an administrator can do this");
  return user;
}
