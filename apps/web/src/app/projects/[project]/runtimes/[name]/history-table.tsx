import type { RouterOutputs } from "@swhub/api/root";
import Link from "next/link";
import { EmptyState } from "~/components/empty-state";
import { LifecycleActions } from "~/components/lifecycle-actions";
import { TagEditor } from "~/components/tag-editor";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { formatBytes, formatDateTime, shortVersion } from "~/lib/format";
import { routes } from "~/lib/routes";

type Version = RouterOutputs["runtime"]["history"]["items"][number];

/** The versions of one runtime, newest first, with tags editable in place. */
// Row links don't prefetch: a page of rows would render dozens of pages on the server for each visit.
export function HistoryTable({
  project,
  name,
  items,
  can,
}: {
  project: string;
  name: string;
  items: Version[];
  can: { canWrite: boolean; canRecover: boolean };
}) {
  if (items.length === 0)
    return (
      <EmptyState title="No versions on this page">
        Go back to the first page, or show removed versions.
      </EmptyState>
    );
  return (
    <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
      <table className={tableClass} aria-label="Versions">
        <thead>
          <tr>
            <th className={thClass} scope="col">
              Version
            </th>
            <th className={thClass} scope="col">
              Tags
            </th>
            <th className={`${thClass} hidden md:table-cell`} scope="col">
              Created
            </th>
            <th className={`${thClass} hidden sm:table-cell`} scope="col">
              Creator
            </th>
            <th className={thClass} scope="col">
              Size
            </th>
            <th className={`${thClass} hidden lg:table-cell`} scope="col">
              Image
            </th>
            <th className={thClass} scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((v) => (
            <tr
              key={v.id}
              className={v.removed ? "bg-surface-muted/50 text-muted" : "hover:bg-surface-muted/60"}
              data-testid={`version-${v.alias}`}
            >
              <td className={tdClass}>
                {v.removed ? (
                  // A removed version has no page until it is recovered.
                  <span className="font-medium">{v.alias}</span>
                ) : (
                  <Link
                    prefetch={false}
                    href={routes.version(project, name, v.version)}
                    className="font-medium text-accent hover:underline"
                  >
                    {v.alias}
                  </Link>
                )}
                <div className="font-mono text-xs text-muted" title={v.version}>
                  {shortVersion(v.version)}
                </div>
                {v.removed ? (
                  <span className="rounded bg-danger-bg px-1.5 py-0.5 text-xs text-danger">removed</span>
                ) : null}
              </td>
              <td className={tdClass}>
                <TagEditor
                  project={project}
                  name={name}
                  version={v.version}
                  alias={v.alias}
                  tags={v.tags}
                  editable={can.canWrite && !v.removed}
                />
              </td>
              <td className={`${tdClass} hidden whitespace-nowrap md:table-cell`}>
                {formatDateTime(v.createdAt)}
              </td>
              <td className={`${tdClass} hidden sm:table-cell`}>{v.owner.name}</td>
              <td className={`${tdClass} whitespace-nowrap tabular-nums`}>{formatBytes(v.size)}</td>
              <td className={`${tdClass} hidden max-w-48 truncate font-mono text-xs lg:table-cell`}>
                {v.image ?? "—"}
              </td>
              <td className={`${tdClass} text-right`}>
                <LifecycleActions
                  project={project}
                  name={name}
                  version={v.version}
                  label={v.alias}
                  removed={v.removed}
                  canRemove={can.canWrite}
                  canRecover={can.canRecover}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
