"use client";

import type { PackageChangeKind, RuntimeDiff } from "@swhub/shared/runtime-diff";
import { useId, useState } from "react";
import { inputClass, tableClass, tdClass, thClass } from "~/components/ui";
import { kindStyles } from "./kind-styles";

// Type-only import of the diff module: its parser (yaml, PEP 440) stays on the server.
const packageChangeKinds = Object.keys(kindStyles) as PackageChangeKind[];

/** Whether an upgrade or downgrade crosses a major release (1.x → 2.x): the ones worth reading twice. */
function crossesMajor(from: string | null, to: string | null): boolean {
  const major = (v: string | null) => (v && /^\d+/.exec(v)?.[0]) ?? null;
  const a = major(from);
  const b = major(to);
  return a !== null && b !== null && a !== b;
}

/** Every package that changed, filterable by kind and by name, in a table that reads well on a phone too. */
export function PackageChanges({ diff, kind }: { diff: RuntimeDiff; kind?: string }) {
  const id = useId();
  const initial = packageChangeKinds.includes(kind as PackageChangeKind)
    ? (kind as PackageChangeKind)
    : "all";
  const [shown, setShown] = useState<PackageChangeKind | "all">(initial);
  const [filter, setFilter] = useState("");
  if (diff.packages.length === 0)
    return (
      <section aria-labelledby={`${id}-title`} className="space-y-3">
        <h2 id={`${id}-title`} className="text-base font-semibold">
          Packages
        </h2>
        <p className="rounded-xl border border-dashed border-border bg-surface px-4 py-6 text-center text-sm text-muted">
          No package changed
          {diff.unchangedCount ? `: all ${diff.unchangedCount} are pinned to the same versions` : ""}.
        </p>
      </section>
    );
  const needle = filter.trim().toLowerCase();
  const rows = diff.packages.filter(
    (p) => (shown === "all" || p.kind === shown) && (!needle || p.name.includes(needle)),
  );
  const kinds = packageChangeKinds.filter((k) => diff.counts[k] > 0);
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <h2 id={`${id}-title`} className="text-base font-semibold">
          Packages
        </h2>
        <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
          <fieldset className="flex flex-wrap gap-1" aria-label="Show">
            {(["all", ...kinds] as const).map((k) => (
              <button
                key={k}
                type="button"
                aria-pressed={shown === k}
                onClick={() => setShown(k)}
                className={`rounded-full border px-2.5 py-1 text-xs font-medium ${
                  shown === k
                    ? "border-accent bg-accent text-accent-fg"
                    : "border-border bg-surface text-text hover:bg-surface-muted"
                }`}
              >
                {k === "all" ? `All ${diff.packages.length}` : `${kindStyles[k].label} ${diff.counts[k]}`}
              </button>
            ))}
          </fieldset>
          <label htmlFor={`${id}-filter`} className="sr-only">
            Filter packages by name
          </label>
          <input
            id={`${id}-filter`}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Filter packages…"
            className={`${inputClass} h-8 sm:w-48`}
          />
        </div>
      </div>
      <div className="relative overflow-x-auto rounded-xl border border-border bg-surface shadow-sm">
        <table className={tableClass} aria-label="Package changes">
          <thead>
            <tr>
              <th className={thClass} scope="col">
                Package
              </th>
              <th className={thClass} scope="col">
                Change
              </th>
              <th className={thClass} scope="col">
                From
              </th>
              <th className={thClass} scope="col">
                To
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.name} data-kind={p.kind}>
                <td className={`${tdClass} font-mono text-xs font-medium`}>{p.name}</td>
                <td className={tdClass}>
                  <span
                    className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${kindStyles[p.kind].badge}`}
                  >
                    <span aria-hidden="true">{kindStyles[p.kind].sign}</span>
                    {p.kind}
                  </span>
                  {(p.kind === "upgraded" || p.kind === "downgraded") && crossesMajor(p.from, p.to) ? (
                    <span
                      className="ml-1 rounded-full border border-down/50 px-1.5 py-0.5 text-xs text-down"
                      title="The major version changed"
                    >
                      major
                    </span>
                  ) : null}
                </td>
                <td className={`${tdClass} break-all font-mono text-xs text-muted`}>{p.from ?? "—"}</td>
                <td
                  className={`${tdClass} break-all font-mono text-xs ${p.to ? kindStyles[p.kind].text : "text-muted"}`}
                >
                  {p.to ?? "—"}
                </td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={4} className={`${tdClass} text-center text-muted`}>
                  No package matches “{filter}”.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-muted">
        {diff.unchangedCount} {diff.unchangedCount === 1 ? "package is" : "packages are"} pinned to the same
        version on both sides. Versions are ordered by PEP 440, so 1.10 is newer than 1.9 and 2.0rc1 is older
        than 2.0.
      </p>
    </section>
  );
}
