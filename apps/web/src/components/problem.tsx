import type { Route } from "next";
import Link from "next/link";

const titles = {
  not_found: "Not found",
  forbidden: "Not allowed",
  invalid: "That doesn't look right",
} as const;

/** A designed failure: what went wrong, in the server's words, and a way back. */
export function Problem({
  status,
  message,
  back,
}: {
  status: keyof typeof titles;
  message: string;
  back?: { href: Route; label: string };
}) {
  return (
    <section
      role="alert"
      aria-labelledby="problem-title"
      className="mx-auto my-12 max-w-lg rounded-2xl border border-border bg-surface px-6 py-10 text-center shadow-sm"
    >
      <h1 id="problem-title" className="text-lg font-semibold">
        {titles[status]}
      </h1>
      <p className="mt-2 text-sm text-muted">{message}</p>
      {back ? (
        <Link href={back.href} className="mt-6 inline-block text-sm font-medium text-accent hover:underline">
          ← {back.label}
        </Link>
      ) : null}
    </section>
  );
}
