import type { Database } from "@swhub/db/client";
import { type ProjectRole, projectMembers, users } from "@swhub/db/schema";
import { conflict, notFound } from "@swhub/shared/errors";
import { and, asc, eq } from "drizzle-orm";
import { type Actor, getProjectAccess, requireProjectRole } from "./access";

export interface Member {
  user: { id: string; name: string };
  role: ProjectRole;
  createdAt: Date;
}

/** The members of a project, by user name. Anyone who can read the project sees them. */
export async function listMembers(db: Database, input: { user: Actor; project: string }): Promise<Member[]> {
  const { project } = await getProjectAccess(db, input.user, input.project);
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      role: projectMembers.role,
      createdAt: projectMembers.createdAt,
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, project.id))
    .orderBy(asc(users.name));
  return rows.map((r) => ({
    user: { id: String(r.id), name: r.name },
    role: r.role,
    createdAt: r.createdAt,
  }));
}

async function userByName(db: Database, name: string): Promise<{ id: number; name: string }> {
  const [row] = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.name, name));
  if (!row) throw notFound(`User "${name}" not found`);
  return row;
}

/** Adds a user to a project with a role. Owners only; a user who is already a member is a conflict. */
export async function addMember(
  db: Database,
  input: { user: Actor; project: string; userName: string; role: ProjectRole },
): Promise<Member> {
  const { project } = await requireProjectRole(db, input.user, input.project, "owner");
  const target = await userByName(db, input.userName);
  const [row] = await db
    .insert(projectMembers)
    .values({ projectId: project.id, userId: target.id, role: input.role })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    throw conflict(
      `${target.name} is already a member of project "${project.name}"`,
      "change their role instead",
    );
  }
  return { user: { id: String(target.id), name: target.name }, role: row.role, createdAt: row.createdAt };
}

/**
 * Runs a change to one membership with the project's members locked, and refuses it when it would leave the
 * project without an owner (two owners demoting each other at once must not both succeed).
 */
async function changeMembership(
  db: Database,
  input: { user: Actor; project: string; userName: string },
  change: "remove" | ProjectRole,
): Promise<Member | undefined> {
  const { project } = await requireProjectRole(db, input.user, input.project, "owner");
  const target = await userByName(db, input.userName);
  return db.transaction(async (tx) => {
    const members = await tx
      .select({
        userId: projectMembers.userId,
        role: projectMembers.role,
        createdAt: projectMembers.createdAt,
      })
      .from(projectMembers)
      .where(eq(projectMembers.projectId, project.id))
      .for("update");
    const current = members.find((m) => m.userId === target.id);
    if (!current) throw notFound(`${target.name} is not a member of project "${project.name}"`);
    const owners = members.filter((m) => m.role === "owner").length;
    if (current.role === "owner" && change !== "owner" && owners === 1) {
      throw conflict(
        `${target.name} is the last owner of project "${project.name}"`,
        "make someone else an owner first",
      );
    }
    const where = and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, target.id));
    if (change === "remove") {
      await tx.delete(projectMembers).where(where);
      return undefined;
    }
    await tx.update(projectMembers).set({ role: change }).where(where);
    return { user: { id: String(target.id), name: target.name }, role: change, createdAt: current.createdAt };
  });
}

/** Changes a member's role. Owners only; the last owner can't be demoted. */
export async function setMemberRole(
  db: Database,
  input: { user: Actor; project: string; userName: string; role: ProjectRole },
): Promise<Member> {
  return (await changeMembership(db, input, input.role))!;
}

/** Removes a member. Owners only; the last owner can't be removed. */
export async function removeMember(
  db: Database,
  input: { user: Actor; project: string; userName: string },
): Promise<{ ok: true }> {
  await changeMembership(db, input, "remove");
  return { ok: true };
}
