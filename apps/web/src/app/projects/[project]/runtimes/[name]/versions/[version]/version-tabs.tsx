"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { routes, type VersionTab } from "~/lib/routes";

const labels: Record<VersionTab, string> = {
  overview: "Overview",
  "runtime-yaml": "runtime.yaml",
  manifest: "Manifest",
  lock: "Lock",
  files: "Files",
};

export function VersionTabs({ project, name, version }: { project: string; name: string; version: string }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Version" className="flex gap-1 overflow-x-auto border-b border-border text-sm">
      {(Object.keys(labels) as VersionTab[]).map((tab) => {
        const current = pathname.endsWith(`/${tab}`);
        return (
          <Link
            key={tab}
            href={routes.version(project, name, version, tab)}
            aria-current={current ? "page" : undefined}
            className={`-mb-px whitespace-nowrap border-b-2 px-3 py-2 font-medium ${
              current ? "border-accent text-text" : "border-transparent text-muted hover:text-text"
            }`}
          >
            {labels[tab]}
          </Link>
        );
      })}
    </nav>
  );
}
