import type { RouterOutputs } from "@swhub/api/root";
import Link from "next/link";
import { buttonClass, labelClass, secondaryButtonClass, selectClass } from "~/components/ui";
import { formatDate, shortVersion } from "~/lib/format";
import { routes } from "~/lib/routes";

type Version = RouterOutputs["runtime"]["history"]["items"][number];

const optionLabel = (v: Version) =>
  `${v.alias} · ${shortVersion(v.version)}${v.tags.filter((t) => t !== v.alias).length ? ` · ${v.tags.filter((t) => t !== v.alias).join(", ")}` : ""} · ${formatDate(v.createdAt)}`;

/** Two version pickers and a swap: a plain GET form, so it works before scripts load and gives a shareable URL. */
export function DiffPicker({
  project,
  name,
  versions,
  from,
  to,
}: {
  project: string;
  name: string;
  versions: Version[];
  from: string;
  to: string;
}) {
  const select = (field: "from" | "to", label: string, value: string) => (
    <div className="min-w-0 flex-1">
      <label htmlFor={`diff-${field}`} className={labelClass}>
        {label}
      </label>
      <select
        id={`diff-${field}`}
        name={field}
        defaultValue={value}
        className={`${selectClass} w-full font-mono`}
      >
        {versions.some((v) => v.version === value) ? null : <option value={value}>{value}</option>}
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {optionLabel(v)}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form
      method="get"
      action={routes.diff(project, name)}
      className="flex flex-col gap-3 rounded-xl border border-border bg-surface p-4 shadow-sm md:flex-row md:items-end"
    >
      {select("from", "From (older)", from)}
      <Link
        href={routes.diff(project, name, to, from)}
        className={`${secondaryButtonClass} h-10 self-center md:self-end`}
        aria-label="Swap the two versions"
        title="Swap"
      >
        ⇄
      </Link>
      {select("to", "To (newer)", to)}
      <button type="submit" className={buttonClass}>
        Compare
      </button>
    </form>
  );
}
