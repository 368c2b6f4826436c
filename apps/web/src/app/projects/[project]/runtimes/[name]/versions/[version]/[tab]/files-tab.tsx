import { EmptyState } from "~/components/empty-state";
import { Pagination } from "~/components/pagination";
import { Problem } from "~/components/problem";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { formatBytes, plural } from "~/lib/format";
import { routes } from "~/lib/routes";
import { load } from "~/server/load";
import { getCaller } from "~/trpc/server";

/** The bundle's files in archive order, a page at a time. */
export async function FilesTab({
  project,
  name,
  version,
  page,
}: {
  project: string;
  name: string;
  version: string;
  page: number;
}) {
  const caller = await getCaller();
  const result = await load(() => caller.runtime.files({ project, name, version, page, size: 100 }));
  if (!result.ok) return <Problem status={result.status} message={result.message} />;
  const { items, total, size } = result.data;
  if (total === 0)
    return <EmptyState title="No files recorded">This bundle's file list is empty.</EmptyState>;
  const base = routes.version(project, name, version, "files");
  return (
    <div className="space-y-3">
      <p className="text-sm text-muted">{plural(total, "file")} in the bundle</p>
      <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
        <table className={tableClass} aria-label="Files">
          <thead>
            <tr>
              <th className={thClass} scope="col">
                Path
              </th>
              <th className={`${thClass} text-right`} scope="col">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((file) => (
              <tr key={file.path}>
                <td className={`${tdClass} break-all font-mono text-xs`}>{file.path}</td>
                <td className={`${tdClass} whitespace-nowrap text-right tabular-nums`}>
                  {formatBytes(file.size)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination page={page} size={size} total={total} href={(n) => `${base}?page=${n}` as typeof base} />
    </div>
  );
}
