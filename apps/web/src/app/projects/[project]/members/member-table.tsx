import type { Member } from "@swhub/api/services/members";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { formatDate } from "~/lib/format";
import { MemberControls } from "./member-controls";

export function MemberTable({
  project,
  members,
  canManage,
  me,
}: {
  project: string;
  members: Member[];
  canManage: boolean;
  me?: string;
}) {
  return (
    <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
      <table className={tableClass} aria-label="Members">
        <thead>
          <tr>
            <th className={thClass} scope="col">
              User
            </th>
            <th className={thClass} scope="col">
              Role
            </th>
            <th className={`${thClass} hidden sm:table-cell`} scope="col">
              Since
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.user.id} data-testid={`member-${m.user.name}`}>
              <td className={`${tdClass} font-medium`}>
                {m.user.name}
                {m.user.name === me ? (
                  <span className="ml-2 text-xs font-normal text-muted">(you)</span>
                ) : null}
              </td>
              <td className={tdClass}>
                {canManage ? (
                  <MemberControls project={project} userName={m.user.name} role={m.role} />
                ) : (
                  <span className="rounded-full bg-surface-muted px-2 py-0.5 text-xs">{m.role}</span>
                )}
              </td>
              <td className={`${tdClass} hidden text-muted sm:table-cell`}>{formatDate(m.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
