import type { Metadata } from "next";
import { Problem } from "~/components/problem";
import { load } from "~/server/load";
import { loadProject, permissions } from "~/server/project";
import { getCaller } from "~/trpc/server";
import { InviteMemberForm } from "./invite-member-form";
import { MemberTable } from "./member-table";

export const metadata: Metadata = { title: "Members" };
export const dynamic = "force-dynamic";

/** Who is in the project and with which role; owners invite, change roles and remove. */
export default async function MembersPage({ params }: { params: Promise<{ project: string }> }) {
  const project = decodeURIComponent((await params).project);
  const projectInfo = await loadProject(project);
  if (!projectInfo.ok) return null;
  const caller = await getCaller();
  const [members, me] = await Promise.all([load(() => caller.member.list({ project })), caller.auth.me()]);
  if (!members.ok) return <Problem status={members.status} message={members.message} />;
  const { canManage } = permissions(projectInfo.data.access);
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold tracking-tight">Members</h1>
        <p className="text-sm text-muted">
          Guests read, maintainers also push, tag and remove, owners also recover and manage the project.
        </p>
      </div>
      {canManage ? <InviteMemberForm project={project} /> : null}
      <MemberTable project={project} members={members.data} canManage={canManage} me={me?.name} />
    </div>
  );
}
