"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useId, useTransition } from "react";
import { inputClass, secondaryButtonClass } from "~/components/ui";
import { routes } from "~/lib/routes";
import { type RuntimeQuery, runtimeQueryString } from "./runtime-query";

/**
 * Search by name prefix, filter by owner (the members are suggested), show removed runtimes. Submitting updates the
 * URL (page 1).
 */
export function RuntimeFilters({
  project,
  query,
  owners,
}: {
  project: string;
  query: RuntimeQuery;
  owners: string[];
}) {
  const router = useRouter();
  const id = useId();
  const [pending, startTransition] = useTransition();
  function apply(next: Partial<RuntimeQuery>) {
    startTransition(() =>
      router.push(routes.runtimes(project, runtimeQueryString({ ...query, ...next, page: 1 }))),
    );
  }
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    apply({ q: String(form.get("q") ?? "").trim(), owner: String(form.get("owner") ?? "").trim() });
  }
  return (
    <search aria-label="Filter runtimes">
      <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor={`${id}-q`} className="sr-only">
            Search by name
          </label>
          <input
            id={`${id}-q`}
            name="q"
            type="search"
            defaultValue={query.q}
            placeholder="Search by name…"
            className={inputClass}
          />
        </div>
        <div className="sm:w-48">
          <label htmlFor={`${id}-owner`} className="sr-only">
            Owner
          </label>
          <input
            id={`${id}-owner`}
            name="owner"
            defaultValue={query.owner}
            placeholder="Owner (user name)"
            autoCapitalize="none"
            spellCheck={false}
            list={`${id}-owners`}
            className={inputClass}
          />
          <datalist id={`${id}-owners`} data-testid="owner-suggestions">
            {owners.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>
        <label className="flex h-10 items-center gap-2 text-sm text-text">
          <input
            type="checkbox"
            // Uncontrolled, so the box ticks at once; the key resets it to the URL's state after navigation.
            key={String(query.removed)}
            defaultChecked={query.removed}
            onChange={(e) => apply({ removed: e.currentTarget.checked })}
            className="size-4 accent-accent"
          />
          Show removed
        </label>
        <button type="submit" className={`${secondaryButtonClass} h-10`} disabled={pending}>
          {pending ? "Searching…" : "Search"}
        </button>
      </form>
    </search>
  );
}
