/** Rows of grey bars where a table is about to be, so the page keeps its shape while loading. */
export function TableSkeleton({ rows = 8, label }: { rows?: number; label: string }) {
  return (
    <div
      role="status"
      aria-live="polite"
      className="rounded-xl border border-border bg-surface p-4 shadow-sm"
    >
      <span className="sr-only">{label}</span>
      <div className="space-y-3" aria-hidden="true">
        {Array.from({ length: rows }, (_, i) => (
          <div key={i} className="flex gap-4">
            <div className="h-4 w-1/4 animate-pulse rounded bg-surface-muted" />
            <div className="h-4 w-1/6 animate-pulse rounded bg-surface-muted" />
            <div className="h-4 flex-1 animate-pulse rounded bg-surface-muted" />
          </div>
        ))}
      </div>
    </div>
  );
}
