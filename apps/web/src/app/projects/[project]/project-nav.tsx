"use client";

import type { ProjectRole } from "@swhub/db/schema";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { routes } from "~/lib/routes";

/** The project's sections; Settings only for owners, who are the ones who can change them. */
export function ProjectNav({ project, access }: { project: string; access: ProjectRole }) {
  const pathname = usePathname();
  const items = [
    { href: routes.project(project), label: "Runtimes", match: "/runtimes" },
    { href: routes.jobs(project), label: "Jobs", match: "/jobs" },
    { href: routes.members(project), label: "Members", match: "/members" },
    ...(access === "owner"
      ? [{ href: routes.settings(project), label: "Settings", match: "/settings" }]
      : []),
  ];
  return (
    <nav aria-label="Project" className="-mb-px mt-3 flex gap-1 overflow-x-auto text-sm">
      {items.map((item) => {
        const current = pathname.includes(`/projects/${encodeURIComponent(project)}${item.match}`);
        return (
          <Link
            key={item.label}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={`whitespace-nowrap border-b-2 px-3 py-2 font-medium transition-colors ${
              current ? "border-accent text-text" : "border-transparent text-muted hover:text-text"
            }`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
