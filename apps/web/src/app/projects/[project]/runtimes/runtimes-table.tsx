import type { RuntimeSummary } from "@swhub/api/services/runtime-lists";
import Link from "next/link";
import { TagList } from "~/components/tag-list";
import { tableClass, tdClass, thClass } from "~/components/ui";
import { formatBytes, formatDateTime, shortVersion } from "~/lib/format";
import { routes } from "~/lib/routes";
import { type RuntimeQuery, runtimeQueryString } from "./runtime-query";

type SortKey = NonNullable<RuntimeQuery["sort"]>;

/** A column header that sorts on the server: a link to the same list in the other direction. */
function SortHeader({
  project,
  query,
  sort,
  label,
}: {
  project: string;
  query: RuntimeQuery;
  sort: SortKey;
  label: string;
}) {
  const active = (query.sort ?? "name") === sort;
  const order = query.order ?? (sort === "name" ? "asc" : "desc");
  const next = active ? (order === "asc" ? "desc" : "asc") : sort === "name" ? "asc" : "desc";
  return (
    <th
      className={thClass}
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"}
      scope="col"
    >
      <Link
        prefetch={false}
        href={routes.runtimes(project, runtimeQueryString({ ...query, sort, order: next, page: 1 }))}
        className="inline-flex items-center gap-1 hover:text-text"
      >
        {label}
        <span aria-hidden="true">{active ? (order === "asc" ? "↑" : "↓") : "↕"}</span>
        <span className="sr-only">, sort {next === "asc" ? "ascending" : "descending"}</span>
      </Link>
    </th>
  );
}

// Row links don't prefetch: a page of rows would render dozens of pages on the server for each visit.
export function RuntimesTable({
  project,
  items,
  query,
}: {
  project: string;
  items: RuntimeSummary[];
  query: RuntimeQuery;
}) {
  return (
    <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
      <table className={tableClass} aria-label="Runtimes">
        <thead>
          <tr>
            <SortHeader project={project} query={query} sort="name" label="Name" />
            <th className={thClass} scope="col">
              Latest version
            </th>
            <th className={`${thClass} hidden md:table-cell`} scope="col">
              Tags
            </th>
            <th className={`${thClass} hidden lg:table-cell`} scope="col">
              Image
            </th>
            <th className={`${thClass} hidden sm:table-cell`} scope="col">
              Owner
            </th>
            <SortHeader project={project} query={query} sort="created" label="Created" />
            <SortHeader project={project} query={query} sort="size" label="Size" />
          </tr>
        </thead>
        <tbody>
          {items.map((runtime) => (
            <tr key={runtime.id} className="hover:bg-surface-muted/60">
              <td className={tdClass}>
                <Link
                  prefetch={false}
                  href={routes.runtime(project, runtime.name)}
                  className="font-medium text-accent hover:underline"
                >
                  {runtime.name}
                </Link>
                {runtime.removed ? (
                  <span className="ml-2 rounded bg-danger-bg px-1.5 py-0.5 text-xs text-danger">removed</span>
                ) : null}
                <div className="text-xs text-muted">
                  {runtime.versionCount} {runtime.versionCount === 1 ? "version" : "versions"}
                </div>
              </td>
              <td className={`${tdClass} font-mono text-xs`}>
                {runtime.latest ? (
                  <Link
                    prefetch={false}
                    href={routes.version(project, runtime.name, runtime.latest.version)}
                    className="hover:underline"
                    title={runtime.latest.version}
                  >
                    {shortVersion(runtime.latest.version)}
                  </Link>
                ) : (
                  <span className="text-muted">none</span>
                )}
              </td>
              <td className={`${tdClass} hidden md:table-cell`}>
                {runtime.latest ? <TagList tags={runtime.latest.tags} /> : null}
              </td>
              <td className={`${tdClass} hidden max-w-56 truncate font-mono text-xs lg:table-cell`}>
                {runtime.latest?.image ?? <span className="text-muted">—</span>}
              </td>
              <td className={`${tdClass} hidden sm:table-cell`}>{runtime.owner.name}</td>
              <td className={`${tdClass} whitespace-nowrap text-muted`}>
                {formatDateTime(runtime.createdAt)}
              </td>
              <td className={`${tdClass} whitespace-nowrap tabular-nums`}>
                {runtime.latest ? formatBytes(runtime.latest.size) : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
