import type { Route } from "next";
import Link from "next/link";

/** Previous / next links with where we are; server-side pages, so every page is a URL. */
export function Pagination({
  page,
  size,
  total,
  href,
}: {
  page: number;
  size: number;
  total: number;
  href: (page: number) => Route;
}) {
  const pages = Math.max(1, Math.ceil(total / size));
  if (pages <= 1) return null;
  const linkClass =
    "rounded-lg border border-border bg-surface px-3 py-1.5 font-medium hover:bg-surface-muted";
  const offClass = "rounded-lg border border-border px-3 py-1.5 text-muted opacity-50";
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-3 text-sm">
      <span className="text-muted">
        Page {page} of {pages}
      </span>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link prefetch={false} href={href(page - 1)} className={linkClass} rel="prev">
            Previous
          </Link>
        ) : (
          <span className={offClass} aria-disabled="true">
            Previous
          </span>
        )}
        {page < pages ? (
          <Link prefetch={false} href={href(page + 1)} className={linkClass} rel="next">
            Next
          </Link>
        ) : (
          <span className={offClass} aria-disabled="true">
            Next
          </span>
        )}
      </div>
    </nav>
  );
}
