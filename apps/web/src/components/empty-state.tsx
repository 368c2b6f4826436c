import type { ReactNode } from "react";

/** The shape of every empty list: an icon, a title, one sentence, and maybe an action. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  const id = `empty-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section
      aria-labelledby={id}
      className="flex flex-col items-center rounded-2xl border border-dashed border-border bg-surface px-6 py-14 text-center"
    >
      <svg
        viewBox="0 0 48 48"
        aria-hidden="true"
        className="mb-4 size-10 text-accent"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <rect x="8" y="10" width="32" height="28" rx="4" opacity="0.35" />
        <path d="M8 18h32M16 26h16M16 31h10" strokeLinecap="round" />
      </svg>
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      <div className="mt-2 max-w-md text-sm text-muted">{children}</div>
      {action ? <div className="mt-5">{action}</div> : null}
    </section>
  );
}
