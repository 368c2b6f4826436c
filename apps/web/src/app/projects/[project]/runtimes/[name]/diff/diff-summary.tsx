import type { VersionDiff } from "@swhub/api/services/runtime-diff";
import Link from "next/link";
import { CopyButton } from "~/components/copy-button";
import { plural } from "~/lib/format";
import { routes } from "~/lib/routes";
import { diffAsMarkdown } from "./diff-markdown";
import { kindStyles } from "./kind-styles";

/** One line a reader takes away: which versions, how many packages moved which way, and the environment. */
export function DiffSummary({ project, name, data }: { project: string; name: string; data: VersionDiff }) {
  const { from, to, diff } = data;
  const kinds = (["upgraded", "downgraded", "added", "removed", "changed"] as const).filter(
    (k) => diff.counts[k] > 0,
  );
  const nothing = kinds.length === 0 && diff.environment.length === 0;
  return (
    <section
      aria-labelledby="diff-summary-title"
      className="rounded-xl border border-border bg-surface p-5 shadow-sm"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <h2 id="diff-summary-title" className="flex flex-wrap items-center gap-2 text-lg font-semibold">
          <Link href={routes.version(project, name, from.version)} className="text-accent hover:underline">
            {from.alias}
          </Link>
          <span aria-hidden="true" className="text-muted">
            →
          </span>
          <span className="sr-only">to</span>
          <Link href={routes.version(project, name, to.version)} className="text-accent hover:underline">
            {to.alias}
          </Link>
        </h2>
        <CopyButton
          text={diffAsMarkdown(name, data)}
          label="Copy this comparison as Markdown"
          idleText="Copy as Markdown"
        />
      </div>
      {nothing ? (
        <p className="mt-2 text-sm" data-testid="diff-identical">
          Identical environments: the same {plural(diff.unchangedCount, "package")} at the same versions, and
          the same Python, CUDA and architecture.
        </p>
      ) : (
        <ul
          className="mt-3 flex flex-wrap gap-2 text-sm"
          aria-label="Changes by kind"
          data-testid="diff-counts"
        >
          {kinds.map((k) => (
            <li key={k} className={`rounded-full px-2.5 py-0.5 font-medium ${kindStyles[k].badge}`}>
              {diff.counts[k]} {k}
            </li>
          ))}
          {diff.environment.length > 0 ? (
            <li className="rounded-full bg-accent/15 px-2.5 py-0.5 font-medium text-accent">
              {plural(diff.environment.length, "environment change")}
            </li>
          ) : null}
          <li className="rounded-full bg-surface-muted px-2.5 py-0.5 text-muted">
            {diff.unchangedCount} unchanged
          </li>
        </ul>
      )}
      {!diff.locked.from || !diff.locked.to ? (
        <p className="mt-3 rounded-lg border border-border bg-surface-muted px-3 py-2 text-sm text-muted">
          {!diff.locked.from && !diff.locked.to
            ? "Neither version"
            : !diff.locked.from
              ? `${from.alias}`
              : `${to.alias}`}{" "}
          {!diff.locked.from && !diff.locked.to ? "has" : "has no"} lock file
          {!diff.locked.from && !diff.locked.to
            ? "s, so their packages can't be compared"
            : ", so its packages show as added or removed"}
          .
        </p>
      ) : null}
    </section>
  );
}
